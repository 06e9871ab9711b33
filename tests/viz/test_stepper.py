"""The step-through widget in plain pytest: its frames are the engine's real walk."""
import autograd_kit as torch
from autograd_kit.autograd import graph
from autograd_kit.viz import step_backward
from autograd_kit.viz.trace import summarize


def small_net():
    torch.manual_seed(0)
    x = torch.tensor([[1.0, -2.0]])
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    loss = (net(x) ** 2).mean()
    return net, loss


def test_step_count_and_order_match_the_engine():
    net, loss = small_net()
    w = step_backward(loss, params=dict(net.named_parameters()))
    names = [n.name() for n in graph.topological_nodes(loss)]
    assert w.n_steps == len(names)
    assert [f["title"].split(" ")[0] for f in w.frames][:3] == names[:3]


def test_final_grads_equal_backward_and_user_grads_untouched():
    net, loss = small_net()
    params = dict(net.named_parameters())
    w = step_backward(loss, params=params)
    assert all(p.grad is None for p in params.values())
    loss.backward()
    last = w.frames[-1]["leaf_grads"]
    assert set(last) == set(params)
    for name, p in params.items():
        assert last[name] == summarize(p.grad)  # recorded by the widget's walk == what backward() gave


def test_per_step_state_for_a_tensor_used_twice():
    x = torch.tensor(3.0, requires_grad=True)
    x.label = "x"
    w = torch.tensor(2.0, requires_grad=True)
    w.label = "w"
    y = x * w + x * x
    s = step_backward(y)
    assert s.n_steps == 5 and s.state() is None
    f = s.next()
    assert f["title"] == "AddBackward0" and f["node_id"] == "n0"
    f = s.next()
    assert f["title"] == "MulBackward0" and f["formulas"] == ["∂(a · b)/∂a = b", "∂(a · b)/∂b = a"]
    assert f["contributions"] == ["to a (x): 1.0000 × 3.0000 = 3.0000", "to b (x): 1.0000 × 3.0000 = 3.0000"]
    assert f["waiting"] == {"x": "3.0000 + 3.0000"}
    s.step = 5
    last = s.state()
    assert last["title"] == "AccumulateGrad → x.grad"
    assert last["lines"][0] == "gradient flowing in: 8.0000 (= 3.0000 + 3.0000 + 2.0000, added up)"
    assert last["leaf_grads"] == {"w": "3.0000", "x": "8.0000"}
    s.prev()
    assert s.step == 4 and s.state()["leaf_grads"] == {"w": "3.0000", "x": "—"}
    s.reset()
    assert s.step == 0


def test_widget_has_one_svg_and_a_static_fallback():
    net, loss = small_net()
    s = step_backward(loss)
    assert s.svg.count("<svg") == 1
    for f in s.frames:
        assert f'id="{f["node_id"]}"' in s.svg
    bundle = s._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    static = s.static_html()
    assert static.count("<li>") == s.n_steps and f"data-ak-static='{s.uid}'" in static


def _frame(s, title):
    return next(f for f in s.frames if f["title"] == title)


def test_input_names_come_from_the_op_linear_and_where():
    torch.manual_seed(0)
    lin = torch.nn.Linear(2, 3)
    s = step_backward(lin(torch.tensor([[1.0, -2.0]])).sum(), params=dict(lin.named_parameters()))
    f = _frame(s, "AddmmBackward0")  # Addmm.forward(ctx, c, a, b): c is the bias
    assert f["formulas"] == ["∂(c + a @ b)/∂c = 1", "∂(c + a @ b)/∂b = aᵀ @ g"]
    assert f["contributions"][0].startswith("to c (bias): ") and f["contributions"][1].startswith("to b (TBackward0)")
    assert "a = (1, 2) μ=-0.5000" in f["lines"][1]
    a = torch.tensor([1.0, -2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    w = step_backward(torch.where(a > 0, a, b).sum())
    f = _frame(w, "WhereBackward0")
    assert f["formulas"] == ["∂(where(cond, a, b))/∂a = 1 where cond", "∂(where(cond, a, b))/∂b = 1 where not cond"]
    assert [c.split(":")[0] for c in f["contributions"]] == ["to a (a)", "to b (b)"]  # the caller's names
    assert "cond = [True, False]" in f["lines"][1]
    assert "[1.0000, 1.0000] × [1.0000, 0.0000] = [1.0000, 0.0000]" in f["contributions"][0]


def test_pow_shows_p_and_unnamed_leaves_get_readable_names():
    s = step_backward(torch.ones(2, 3, requires_grad=True).pow(3).sum(), namespace={})
    f = _frame(s, "PowBackward0")
    assert "p = 3" in f["lines"][1] and f["formulas"] == ["∂(aᵖ)/∂a = p·aᵖ⁻¹"]
    assert "(2, 3) μ=1.0000 × 3.0000 = (2, 3) μ=3.0000" in f["contributions"][0]
    assert s.leaf_names == ["leaf(2, 3)"]


def test_no_side_effects_later_backward_gives_pytorch_numbers():
    x = torch.tensor(2.0, requires_grad=True)
    y = x * 3
    y.retain_grad()
    calls = []
    x.register_hook(lambda g: calls.append(g.item()))
    z = y * y
    s = step_backward(z)
    assert s.frames[-1]["leaf_grads"] == {"x": "36.0000"} and "hook" in s.note
    assert x.grad is None and y.grad is None and calls == []
    z.backward()
    assert y.grad.item() == 12.0 and x.grad.item() == 36.0 and calls == [36.0]  # PyTorch's numbers
    x.grad = torch.tensor(1.0)
    s = step_backward(x * 5)  # starts from the grad the leaf holds, like backward(), and restores it
    assert s.frames[-1]["leaf_grads"] == {"x": "6.0000"} and x.grad.item() == 1.0


def test_load_ext_registers_display_and_magic():
    from IPython.testing.globalipapp import start_ipython
    ip = start_ipython()
    ip.run_line_magic("load_ext", "autograd_kit")
    x = torch.tensor(2.0, requires_grad=True)
    ip.user_ns["x"] = x
    html = ip.display_formatter.formatters["text/html"].lookup(x)(x)
    assert "<b>requires_grad</b>" in html and "tensor(2., requires_grad=True)" in html
    w = ip.run_line_magic("step_backward", "x * x")
    assert w.n_steps == 2
