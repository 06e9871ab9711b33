"""Autograd state semantics as in PyTorch: accumulation, retain_graph, create_graph, hooks,
retain_grad, grad modes, version counters, autograd.grad, and the recorded walk itself."""
import sys

import numpy as np
import pytest

import autograd_kit as torch
from autograd_kit.autograd import graph


def test_grads_accumulate_until_zeroed():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for expected in ([2.0, 4.0], [4.0, 8.0]):
        (x * x).sum().backward()
        assert x.grad.tolist() == expected
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0]


def test_accumulation_keeps_the_grad_tensor_identity():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    g = x.grad
    (x * 3).sum().backward()
    assert g is x.grad and g.tolist() == [6.0, 6.0]


def test_tensor_used_twice_gets_both_contributions():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x + x  # x feeds the same Mul twice and the Add once
    y.backward()
    assert x.grad.item() == 7.0


def test_shared_gradient_memory_is_never_aliased():
    a = torch.ones(3, requires_grad=True)
    b = torch.ones(3, requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


def test_retain_graph_allows_a_second_backward():
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 24.0
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_saved_tensors_are_freed_after_backward():
    x = torch.tensor(2.0, requires_grad=True)
    y = x * x
    assert y.grad_fn._saved_self is x
    y.backward()
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        y.grad_fn._saved_self


def test_create_graph_gives_higher_order_gradients():
    x = torch.tensor(2.0, requires_grad=True)
    y = 5 * x**3 + 2 * x**2 + 4 * x + 8
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    (h,) = torch.autograd.grad(g, x, create_graph=True)
    (k,) = torch.autograd.grad(h, x)
    assert (g.item(), h.item(), k.item()) == (72.0, 64.0, 30.0)
    assert g.requires_grad and not k.requires_grad


def test_backward_with_create_graph_builds_a_differentiable_grad():
    x = torch.tensor(3.0, requires_grad=True)
    (x ** 3).backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.item() == 27.0
    x.grad = None
    g.backward()
    assert x.grad.item() == 18.0


def test_autograd_grad_leaves_dot_grad_alone():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x ** 2).sum(), x)
    assert g.tolist() == [2.0, 4.0] and x.grad is None


def test_autograd_grad_unused_input():
    x = torch.tensor(1.0, requires_grad=True)
    z = torch.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used"):
        torch.autograd.grad(x * 2, [x, z])
    gx, gz = torch.autograd.grad(x * 2, [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None
    gx, gz = torch.autograd.grad(x * 2, [x, z], materialize_grads=True)
    assert gz.item() == 0.0


def test_autograd_grad_wrt_intermediate():
    x = torch.tensor(2.0, requires_grad=True)
    h = x * 3
    y = h * h
    (gh,) = torch.autograd.grad(y, h)
    assert gh.item() == 12.0


def test_backward_inputs_only_accumulates_there():
    a = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(2.0, requires_grad=True)
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 2.0 and b.grad is None


def test_errors_match_pytorch():
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar outputs"):
        torch.ones(3, requires_grad=True).mul(2).backward()
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad and does not have a grad_fn"):
        torch.ones(3).sum().backward()
    with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad is being used in an in-place operation.$"):
        torch.ones(3, requires_grad=True).add_(1)
    with pytest.raises(RuntimeError, match="^a view of a leaf Variable that requires grad"):
        torch.ones(3, requires_grad=True)[0].mul_(2)
    x = torch.ones(3, requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    with pytest.raises(RuntimeError, match=r"\[torch.FloatTensor \[3\]\], which is output 0 of Sigmoid, is at version 1; expected version 0"):
        y.sum().backward()


def test_version_counter_counts_in_place_ops_and_is_shared_by_views():
    x = torch.zeros(3)
    v = x[1:]
    assert x._version == 0
    x.add_(1)
    v.mul_(2)
    x[0] = 5
    assert x._version == v._version == 3
    assert x.tolist() == [5.0, 2.0, 2.0]


def test_in_place_on_non_leaf_rebases_the_graph():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.add_(x)
    y[0] = 0.0
    assert y.grad_fn.name() == "CopySlices"
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 3.0]


def test_hooks_and_handles():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h1 = x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 3
    h2 = y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[30.0, 30.0]] and x.grad.tolist() == [30.0, 30.0]
    h1.remove()
    h2.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert seen == [[30.0, 30.0]] and x.grad.tolist() == [3.0, 3.0]


def test_retain_grad_and_the_non_leaf_warning():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = x * 2
    y.retain_grad()
    (y + z).sum().backward()
    assert y.grad.tolist() == [1.0, 1.0] and y.retains_grad
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert z.grad is None


def test_grad_modes():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        assert not (x * 2).requires_grad
        with torch.enable_grad():
            assert (x * 2).requires_grad
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)

    @torch.no_grad
    def f(t):
        return t * 2

    @torch.inference_mode()
    def g(t):
        return t * 2

    assert not f(x).requires_grad
    out = g(x)
    assert not out.requires_grad and out.is_inference()
    assert torch.is_grad_enabled()


def test_detach_and_requires_grad_():
    x = torch.ones(2, requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    d.requires_grad_()
    assert d.requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        torch.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        (x * 2).requires_grad_(False)


def test_a_100k_op_chain_backpropagates_without_recursion():
    limit = sys.getrecursionlimit()
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    sys.setrecursionlimit(200)
    try:
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad.item() == pytest.approx(1.00001 ** 100_000, rel=1e-3)


def test_walk_is_deterministic_and_is_what_backward_runs():
    def build():
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor([0.5, -1.0], requires_grad=True)
        h = (x * w).tanh()
        loss = (h * h + h * x).sum()
        return x, w, loss

    x, w, loss = build()
    steps = list(graph.backward_steps(loss, retain_graph=True))
    names = [s.node.name() for s in steps]
    assert names == [n.name() for n in graph.topological_nodes(loss)]
    assert names[0] == "SumBackward0" and names.count("torch::autograd::AccumulateGrad") == 2
    assert [s.index for s in steps] == list(range(len(steps)))
    x2, w2, loss2 = build()
    loss2.backward()
    assert np.allclose(x.grad.numpy(), x2.grad.numpy()) and np.allclose(w.grad.numpy(), w2.grad.numpy())
    for s in steps:
        assert len(s.grad_inputs) == (0 if isinstance(s.node, graph.AccumulateGrad) else len(s.node.next_functions))


def test_steps_show_accumulation_for_a_tensor_used_twice():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x
    steps = list(graph.backward_steps(y))
    mul = steps[0]
    assert mul.node.name() == "MulBackward0"
    assert [g.item() for g in mul.grad_inputs] == [3.0, 3.0]
    acc = steps[1]
    assert isinstance(acc.node, graph.AccumulateGrad) and acc.grad_output.item() == 6.0 and x.grad.item() == 6.0


def test_broadcasting_is_undone_for_every_input():
    a = torch.ones(2, 1, 3, requires_grad=True)
    b = torch.ones(4, 1, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (2, 1, 3) and a.grad.tolist() == [[[4.0] * 3]] * 2
    assert b.grad.shape == (4, 1) and b.grad.tolist() == [[6.0]] * 4


def test_int_and_bool_results_never_require_grad():
    x = torch.tensor([1.5, -2.0], requires_grad=True)
    assert not (x > 0).requires_grad and not x.long().requires_grad and not x.argmax().requires_grad


def test_custom_function_pytorch_style():
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2

    x = torch.tensor(2.0, requires_grad=True)
    y = Cube.apply(x)
    assert repr(y) == "tensor(8., grad_fn=<CubeBackward>)"
    y.backward()
    assert x.grad.item() == 12.0
    assert torch.autograd.gradcheck(Cube.apply, [torch.tensor([1.5], dtype=torch.float64, requires_grad=True)])
    assert "Cube" not in torch.autograd.REGISTRY


def test_grad_wrt_intermediate_does_not_run_or_free_the_rest():
    x = torch.tensor(2.0, requires_grad=True)
    h = x * x
    y = h * 3
    (gh,) = torch.autograd.grad(y, h, retain_graph=True)  # y's node saved the 3 (as PyTorch): keep it
    assert gh.item() == 3.0
    assert h.grad_fn._saved_self is x  # h's own node neither ran nor was freed
    y.backward()
    assert x.grad.item() == 12.0


def test_a_gradient_someone_else_holds_is_copied_into_grad():
    # the engine keeps a gradient as .grad without copying only when nothing else holds its memory
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g))
    (x * 3).sum().backward()
    x.grad.zero_()
    assert seen[0].tolist() == [3.0, 3.0] and x.grad.tolist() == [0.0, 0.0]
    w = torch.ones(2, 3, requires_grad=True)
    steps = list(graph.backward_steps((torch.ones(4, 2) @ w).sum()))
    w.grad.zero_()
    assert steps[-1].grad_output.tolist() == [[4.0] * 3] * 2


def test_a_gradient_nobody_else_holds_becomes_grad_without_a_copy():
    w = torch.ones(3, 2, requires_grad=True)
    y = torch.ones(4, 3) @ w
    where = []  # the address of w's gradient as MmBackward0 made it (no reference kept)
    y.grad_fn.register_hook(lambda grad_inputs, _: where.append(grad_inputs[1]._data.__array_interface__["data"][0]))
    y.sum().backward()
    # a copy would have been made while the original was alive: a different address
    assert w.grad._data.__array_interface__["data"][0] == where[0]
    assert w.grad.tolist() == [[4.0] * 2] * 3


def test_nodes_keep_small_outputs_and_let_large_ones_go():
    ak = torch
    import gc
    import weakref
    big = ak.randn(200, 100, requires_grad=True)   # 80,000 bytes: over the 64 KiB a node keeps
    small = ak.randn(10, 10, requires_grad=True)
    yb, ys = big * 2, small * 2
    nb, ns = yb.grad_fn, ys.grad_fn
    ref = weakref.ref(yb._data)
    assert nb._value is yb._data and ns._value is ys._data  # alive while the tensors are
    lb, ls = yb.sum(), ys.sum()
    del yb, ys
    gc.collect()
    assert ref() is None and nb._value is None  # freed with its tensor
    assert ns._value.shape == (10, 10) and np.array_equal(ns._value, small._data * 2)
    assert nb._input_meta() == (((200, 100), np.dtype(np.float32)), None)
    (lb + ls).backward()
    assert np.array_equal(big.grad._data, np.full((200, 100), 2, np.float32))
    assert np.array_equal(small.grad._data, np.full((10, 10), 2, np.float32))


def test_zero_dim_parameter_broadcast_gradient_steps_like_torch():
    """A 0-d parameter broadcast over a batch (y = a * X + b): its gradient is summed back to shape () by the
    engine's SumToSize (fast path on a repeated call), is a 0-d array, and SGD updates it as in PyTorch."""
    import importlib
    real_torch = importlib.import_module("torch")  # PyTorch 2.13 (the test extra), beside the kit imported as torch
    out = []
    for m in (real_torch, torch):
        a = m.tensor(1.0, requires_grad=True)
        b = m.tensor([0.5], requires_grad=True)
        X = m.arange(8, dtype=m.float32)
        opt = m.optim.SGD([a, b], lr=0.01)
        for _ in range(3):  # repeated: the sum's plan is cached after the first call
            opt.zero_grad()
            ((a * X + b - 1) ** 2).mean().backward()
            opt.step()
        out.append((repr(a.grad), repr(b.grad), repr(a), repr(b)))
    assert out[0] == out[1]
    assert type(a.grad._data) is np.ndarray and a.grad._data.shape == ()
