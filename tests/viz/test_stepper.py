"""The step-through widget in plain pytest: its frames are the engine's real walk."""
import numpy as np
import pytest

import autograd_kit as torch
from autograd_kit.autograd import graph
from autograd_kit.viz import step_backward, step_forward
from autograd_kit.viz.numbers import num, value_text
from autograd_kit.viz.walk import quiet_steps


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
        assert last[name] == value_text(p.grad)  # recorded by the widget's walk == what backward() gave


def test_per_step_state_for_a_tensor_used_twice():
    x = torch.tensor(3.0, requires_grad=True)
    x.label = "x"
    w = torch.tensor(2.0, requires_grad=True)
    w.label = "w"
    y = x * w + x * x
    s = step_backward(y)
    assert s.n_steps == 5 and s.state() is None
    f = s.next()
    assert f["title"] == "AddBackward0" and f["current"] == ["n0"]
    assert "g = ∂out/∂out, the seed = 1.0000" in f["text"]
    f = s.next()
    assert f["title"] == "MulBackward0"
    assert [(c["to"], c["target"], c["rule"], c["value"]) for c in f["contributions"]] == [
        ("a", "x (leaf)", "g · b", "3.0000"), ("b", "x (leaf)", "g · a", "3.0000")]
    assert "    b = 3.0000\n    g · b = 3.0000" in f["text"]
    s.step = 5
    last = s.state()
    assert last["title"] == "AccumulateGrad → x.grad" and "torch::autograd::AccumulateGrad" in last["text"]
    assert "the sum of 3 contributions that arrived here: 3.0000 + 3.0000 + 2.0000" in last["text"]
    assert "x.grad (now) = 8.0000" in last["text"]
    assert last["leaf_grads"] == {"w": "3.0000", "x": "8.0000"}
    s.prev()
    assert s.step == 4 and s.state()["leaf_grads"] == {"w": "3.0000", "x": "—"}
    s.reset()
    assert s.step == 0


def _elements(value):
    return [num(v) for v in np.asarray(value, dtype=np.float64).ravel()]


def test_honest_numbers_on_a_small_network():
    """Every element of every contribution of up to 16 elements is in its step's text, every rule was
    re-derived from the node and matched the engine, and no step writes a summary (no 'μ=')."""
    net, loss = small_net()
    s = step_backward(loss)
    steps = list(quiet_steps(loss))
    assert len(steps) == s.n_steps
    for f, st in zip(s.frames, steps):
        assert "μ" not in f["text"]
        assert all(c["verified"] for c in f["contributions"]), f["title"]
        for g in st.grad_inputs:
            if g is not None and g.numel() <= 16:
                for e in _elements(g._data):
                    assert e in f["text"], (f["title"], e)
        if st.grad_output.numel() <= 16:
            for e in _elements(st.grad_output._data):
                assert e in f["text"]
    addmm = [f for f in s.frames if f["title"] == "AddmmBackward0"]
    assert [c["rule"] for c in addmm[0]["contributions"]] == ["g (passed through unchanged)", "g @ bᵀ", "aᵀ @ g"]
    assert "summed over broadcast dim(s) 0 to c's shape (1)" in addmm[0]["text"]
    assert "aᵀ =" in addmm[1]["text"] and "bᵀ =" not in addmm[1]["text"]  # the input needs no grad
    tanh = _frame(s, "TanhBackward0")
    assert "g · (1 − tanh²), elementwise" in tanh["text"] and "1 − tanh² = [[" in tanh["text"]
    mean = _frame(s, "MeanBackward0")
    assert "n = 1" in mean["text"] and "1/n = 1.0000" in mean["text"]
    assert "gᵀ (the transpose, undone)" in _frame(s, "TBackward0")["text"]


def test_numbers_checked_against_pytorch():
    """The same network on PyTorch 2.13: each leaf's .grad in the last step is PyTorch's, element by element."""
    real = pytest.importorskip("torch")
    net, loss = small_net()
    s = step_backward(loss)
    x = real.tensor([[1.0, -2.0]])
    rnet = real.nn.Sequential(real.nn.Linear(2, 3), real.nn.Tanh(), real.nn.Linear(3, 1))
    with real.no_grad():
        for p, q in zip(net.parameters(), rnet.parameters()):
            q.copy_(real.tensor(p.detach().numpy()))
    (rnet(x) ** 2).mean().backward()
    last = s.frames[-1]["text"]
    for name, p in rnet.named_parameters():
        shown = s.frames[-1]["leaf_grads"][f"net.{name}"]
        assert shown == value_text(p.grad.numpy()) and f"net.{name}.grad" in last


def test_big_tensors_are_shown_by_shape_statistics_and_heatmap():
    torch.manual_seed(0)
    w = torch.randn(8, 8, requires_grad=True)
    s = step_backward((w.tanh() * 2).sum(), namespace={"w": w})
    f = _frame(s, "TanhBackward0")
    assert "shape (8, 8), 64 elements: min" in f["text"] and "μ" not in f["text"]
    assert "class='ak-heat'" in f["html"] and f["contributions"][0]["verified"]
    assert " = (" not in f["text"] and " = shape" not in f["text"]  # no equation between summaries


def test_generic_ops_show_the_stated_rule_and_the_engines_result():
    a = torch.tensor([1.0, -2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    w = step_backward(torch.where(a > 0, a, b).sum())
    f = _frame(w, "WhereBackward0")
    assert [c["to"] for c in f["contributions"]] == ["a", "b"]
    assert "∂out/∂a = 1 where cond (the op's rule), times g" in f["text"]
    assert "contribution to a = [1.0000, 0.0000]" in f["text"]
    assert [c["target"] for c in f["contributions"]] == ["a (leaf)", "b (leaf)"]  # the caller's names


def test_step_forward_replays_the_recording_in_order():
    x = torch.tensor(2.0, requires_grad=True)
    x.label = "x"
    f = step_forward(lambda x: 5 * x ** 3 + 2 * x ** 2 + 4 * x + 8, x)
    assert [fr["title"] for fr in f.frames] == ["PowBackward0", "MulBackward0", "PowBackward0", "MulBackward0",
                                                "AddBackward0", "MulBackward0", "AddBackward0", "AddBackward0"]
    assert f.output.item() == 64.0 and f.mode == "forward"
    first = f.frames[0]
    assert "a = x (leaf) = 2.0000" in first["text"] and "out = 8.0000" in first["text"]
    assert "its next_functions: (AccumulateGrad (x))" in first["text"]
    assert f'id="{f.frames[-1]["reveal"][-1]}"' in f.svg  # the output box appears with the last op
    b = step_backward(f.output)
    assert b.svg == f.svg  # the same layout, forward then back
    cards = step_forward(lambda t: t * 3 + 1, x, values=True)  # data | grad cards appear op by op
    assert [fr["reveal"] for fr in cards.frames] == [["n1", "n1_op"], ["n0", "n0_op"]]
    assert all(f'id="{i}"' in cards.svg for fr in cards.frames for i in fr["reveal"])
    with pytest.raises(ValueError, match="no grad_fn"):
        step_forward(lambda t: t * 2, torch.tensor(1.0))


def test_values_mode_fills_in_grads_and_highlights_edges():
    x = torch.tensor(3.0, requires_grad=True)
    x.label = "x"
    w = torch.tensor(2.0, requires_grad=True)
    w.label = "w"
    s = step_backward(x * w + x * x, values=True)
    assert "grad —" in s.svg and "grad 8" not in s.svg  # cards start blank
    grads = {}
    for f in s.frames:
        grads.update(f["grads"])
        for a, b in f["edges"]:
            assert f"<title>{a}&#45;&gt;{b}</title>" in s.svg
    x_card = s.frames[-1]["current"][0]
    assert grads[x_card] == "grad 8.0000" and "grad 3.0000" in grads.values()


def test_widget_has_one_svg_and_a_static_fallback():
    net, loss = small_net()
    s = step_backward(loss)
    assert s.svg.count("<svg") == 1
    for f in s.frames:
        for i in f["current"]:
            assert f'id="{i}"' in s.svg
    bundle = s._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    static = s.static_html()
    assert static.count("<li>") == s.n_steps and f"data-ak-static='{s.uid}'" in static
    assert s.png()[:4] == b"\x89PNG"


def _frame(s, title):
    return next(f for f in s.frames if f["title"] == title)


def test_pow_shows_p_and_unnamed_leaves_get_readable_names():
    s = step_backward(torch.ones(2, 3, requires_grad=True).pow(3).sum(), namespace={})
    f = _frame(s, "PowBackward0")
    assert "g · p·aᵖ⁻¹ with p = 3" in f["text"] and "p·aᵖ⁻¹ = 3·a^2 = [[3.0000, 3.0000, 3.0000]," in f["text"]
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


def test_local_rules_reproduce_the_engine_for_common_ops():
    """The rules re-derived from the nodes match the engine for broadcasting, unary, reduction, matrix,
    shape and softmax ops (a rule that did not would fall back to the op's stated derivative)."""
    import autograd_kit.nn.functional as F
    torch.manual_seed(0)
    a = torch.randn(2, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    c = torch.randn(2, 1, requires_grad=True)
    W = torch.randn(3, 4, requires_grad=True)
    losses = [
        ((a + b) * c / (b * b + 1)).sum() + torch.sub(a, b, alpha=2).sum() + (2 - a).sum() + (-a).sum(),
        (a.exp().log() + a.sigmoid() + a.relu() + a.sin() + a.cos() + a.abs() + (a * a + 1).sqrt()).mean(),
        a.sum(dim=1).sum() + a.mean(dim=0).sum() + (a ** 3).sum(),
        (a @ W).tanh().sum() + a.mm(W).sum() + torch.addmm(b[:1], a, W[:, :1]).sum(),
        (a.reshape(3, 2).t() * 2).reshape(6).sum() + a.permute(1, 0).sum() + b.expand(2, 3).sum()
        + a.unsqueeze(0).squeeze(0).sum() + a.transpose(0, 1).sum(),
        F.mse_loss(a, torch.zeros(2, 3)) + a.softmax(dim=1).pow(2).sum() + a.log_softmax(dim=0).pow(2).sum(),
    ]
    for loss in losses:
        s = step_backward(loss)
        unverified = {f["title"] for f in s.frames for c in f["contributions"] if not c["verified"]}
        assert unverified <= {"SliceBackward0", "SelectBackward0"}, unverified
        assert all("μ" not in f["text"] for f in s.frames)


def test_highlighted_edges_exist_in_big_graphs_with_copies_of_shared_leaves():
    """Above 40 boxes a leaf used 3+ times is drawn once per use: the step's edges follow the copies."""
    torch.manual_seed(0)
    xs = [torch.randn(3, requires_grad=True) for _ in range(5)]
    z = xs[0]
    for i in range(40):
        z = (z * xs[i % 5]).tanh() if i % 2 else z + xs[(i * 3) % 5]
    for values in (False, True):
        s = step_backward(z.sum(), values=values)
        edges = [e for f in s.frames for e in f["edges"]]
        assert len(edges) > 90 and "(used again)" in s.svg or values
        for a, b in edges:
            assert f"<title>{a}&#45;&gt;{b}</title>" in s.svg, (values, a, b)


def test_a_large_intermediate_is_freed_and_the_stepper_says_so():
    # a node keeps its output for the views up to 64 KiB; a larger one only while its tensor lives (as PyTorch
    # frees intermediate results), so a big network's forward results do not all stay alive through backward
    x = torch.ones(200, 100, requires_grad=True)  # 80,000 bytes of float32
    x.label = "x"
    f = step_forward(lambda t: (t * 2).sum(), x)
    assert [fr["title"] for fr in f.frames] == ["MulBackward0", "SumBackward0"]
    assert "  out, shape (200, 100): freed (not kept for the views: larger than 64 KiB)" in f.frames[0]["text"]
    assert "out = 40000." in f.frames[1]["text"]  # a small output is kept
    b = step_backward(f.output)
    assert len(b.frames) == 3 and b.svg == f.svg
    f.output.backward()
    assert float(x.grad.sum()) == 40000.0 and x.grad.shape == (200, 100)
