"""The engine's fast paths (issue #14) against PyTorch 2.13 and against the kit's own slow paths.

* ``op2`` runs a float op's ufunc alone (Add/Sub/Mul/Div declare it) and, when it records, the op's ``setup``
  in place of ``forward``: the same code run with ``torch`` = autograd_kit and = real PyTorch gives the same
  values, dtype, printing, grad_fn, saved values and gradients, or the same error; and the fast result has
  the bits of the op's own ``forward``.
* ``x ** p`` enters Pow through ``op1`` with one parameter.
* The walk checks each gradient as it passes it on (summed back or cast when it does not fit), and runs a
  node made ready while no other waits without the heap: its order is the heap's, ``topological_nodes``.
* VML computes in place on a copy of its input, for contiguous and non-contiguous inputs alike.
"""
import random

import numpy as np
import pytest
import torch as real_torch

import autograd_kit as ak
from autograd_kit.autograd import graph
from autograd_kit.autograd.function import _NO_CTX, Function
from autograd_kit.ops import arithmetic as E

OPERANDS = {  # name: (expression for a, expression for b)
    "f32 f32": ("torch.tensor([1.5, -2.25, 3.0])", "torch.tensor([0.5, 4.0, -1.0])"),
    "f64 f64": ("torch.tensor([1.5, -2.25, 3.0], dtype=torch.float64)", "torch.tensor([0.1, 4.0, -1.0], dtype=torch.float64)"),
    "f16 f16": ("torch.tensor([1.5, -2.25, 3.0], dtype=torch.float16)", "torch.tensor([0.1, 4.0, -1.0], dtype=torch.float16)"),
    "f32 float": ("torch.tensor([1.5, -2.25, 3.0])", "0.1"),
    "f32 int": ("torch.tensor([1.5, -2.25, 3.0])", "3"),
    "f32 big int": ("torch.tensor([1.5, -2.25, 3.0])", "2 ** 70"),
    "f64 float": ("torch.tensor([1.5, -2.25, 3.0], dtype=torch.float64)", "1e-300"),
    "f16 float": ("torch.tensor([1.5, -2.25, 3.0], dtype=torch.float16)", "0.5"),
    "f32 bool": ("torch.tensor([1.5, -2.25, 3.0])", "True"),
    "f32 f64": ("torch.tensor([1.5, -2.25, 3.0])", "torch.tensor([0.1, 4.0, -1.0], dtype=torch.float64)"),
    "f32 0-d f64": ("torch.tensor([1.5, -2.25, 3.0])", "torch.tensor(0.1, dtype=torch.float64)"),
    "0-d 0-d": ("torch.tensor(1.5)", "torch.tensor(-0.25)"),
    "broadcast": ("torch.tensor([[1.5], [-2.0]])", "torch.tensor([0.5, 4.0, -1.0])"),
    "bad shapes": ("torch.tensor([1.5, -2.25, 3.0])", "torch.tensor([0.5, 4.0])"),
    "int int": ("torch.tensor([1, -2, 3])", "torch.tensor([2, 4, -1])"),
    "int float": ("torch.tensor([1, -2, 3])", "0.5"),
    "f32 complex": ("torch.tensor([1.5, -2.25, 3.0])", "2j"),
    "zero size": ("torch.zeros(0, 3)", "torch.ones(3)"),
    "nan inf": ("torch.tensor([float('nan'), float('inf'), -0.0])", "torch.tensor([0.0, float('-inf'), 0.0])"),
}
OPS = ["a + b", "a - b", "a * b", "a / b", "b * a", "b + a", "a.mul(b)", "a.true_divide(b)"]


def _run(lib, op, a_src, b_src, grad):
    env = {"torch": lib}
    a = eval(a_src, env)
    b = eval(b_src, env)
    if grad:
        if not a.dtype.is_floating_point:
            return None
        a.requires_grad_(True)
        if isinstance(b, lib.Tensor) and b.dtype.is_floating_point:
            b.requires_grad_(True)
    try:
        out = eval(op, {"a": a, "b": b})
    except Exception as e:  # noqa: BLE001 - the error is the result
        return ("error", type(e).__name__, str(e).splitlines()[0])
    res = {"str": str(out), "dtype": str(out.dtype), "shape": tuple(out.shape),
           "bits": np.asarray(out.detach().numpy()).tobytes()}
    if grad and out.grad_fn is not None:
        fn = out.grad_fn
        res["fn"] = fn.name()
        res["edges"] = [None if c is None else c.name() for c, _ in fn.next_functions]
        res["saved"] = {k: str(getattr(fn, "_saved_" + k)) for k in ("self", "other", "alpha")
                        if hasattr(fn, "_saved_" + k)}
        out.sum().backward() if out.numel() else None
        res["grads"] = [None if t.grad is None else (str(t.grad), np.asarray(t.grad.numpy()).tobytes())
                        for t in (a, b) if isinstance(t, lib.Tensor)]
        if out.numel():
            try:
                out.sum().backward()
            except RuntimeError as e:
                res["second"] = str(e).splitlines()[0]
            else:
                res["second"] = "ran"
    return res


@pytest.mark.parametrize("grad", [False, True], ids=["no-grad", "recorded"])
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("operands", list(OPERANDS))
def test_arithmetic_same_as_pytorch(operands, op, grad, request):
    if operands == "f32 complex":  # predates this round: type promotion has no complex category for numbers
        request.applymarker(pytest.mark.xfail(strict=True, reason="a complex Python number loses its imaginary "
                                              "part (PyTorch: a complex64 result)"))
    a_src, b_src = OPERANDS[operands]
    with np.errstate(all="ignore"):
        got = _run(ak, op, a_src, b_src, grad)
    want = _run(real_torch, op, a_src, b_src, grad)
    if got is not None and want is not None and "second" in want and "second" in got:
        # PyTorch's scalars are saved and freed like tensors: the second backward fails alike
        assert got.pop("second") == want.pop("second")
    assert got == want


@pytest.mark.parametrize("cls, fn", [(E.Add, np.add), (E.Sub, np.subtract), (E.Mul, np.multiply),
                                     (E.Div, np.true_divide)])
@pytest.mark.parametrize("dt", [np.float16, np.float32, np.float64])
def test_fast_result_has_forwards_bits(cls, fn, dt):
    rng = np.random.default_rng(0)
    a = ak.tensor(rng.standard_normal(257).astype(dt) * 10)
    b = ak.tensor(rng.standard_normal(257).astype(dt))
    assert cls.ufunc is fn
    for other in (b, 0.1, 3, -7.5e-3):
        fast = cls.op2(a, other)._data
        slow = np.asarray(cls.forward(_NO_CTX, a, other))
        assert fast.dtype == slow.dtype == dt
        assert fast.tobytes() == slow.tobytes()


def test_recorded_fast_path_saves_what_forward_saves():
    x = ak.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2.5
    assert y.grad_fn._saved_other.item() == 2.5 and y.grad_fn._saved_self is None
    assert y.grad_fn.number is True
    z = x * x
    assert z.grad_fn._saved_self is x and z.grad_fn._saved_other is x
    q = x / 4
    assert q.grad_fn._saved_other.item() == 4.0
    s = x - 1
    assert s.grad_fn.alpha == 1
    (y + z + q + s).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.array([2.5 + 0.25 + 1] * 3, np.float32) + 2 * x.detach().numpy())


def test_a_ufunc_without_setup_is_refused():
    before = dict(ak.autograd.function.REGISTRY)
    with pytest.raises(TypeError, match="declares a ufunc without the setup"):
        type("Twice", (Function,), {"__module__": "autograd_kit.test_engine", "ufunc": np.add,
                                    "forward": staticmethod(lambda ctx, a, b: a._data + b),
                                    "backward": staticmethod(lambda ctx, g: (g, None))})
    assert ak.autograd.function.REGISTRY == before  # refused before it is registered


# ---- x ** p through op1 -------------------------------------------------------------------------------
POW = ["x ** 2", "x ** 3", "x ** 0.5", "x ** -1", "x ** 0", "x ** 2.5", "x.pow(3)", "x.pow(exponent=2)",
       "x ** torch.tensor(2.0)", "x ** torch.tensor([1.0, 2.0, 3.0])"]


@pytest.mark.parametrize("expr", POW)
@pytest.mark.parametrize("src", ["torch.tensor([1.5, 2.0, 3.0])", "torch.tensor([1, 2, 3])"])
def test_pow_same_as_pytorch(expr, src):
    def run(lib):
        x = eval(src, {"torch": lib})
        if x.dtype.is_floating_point:
            x.requires_grad_(True)
        try:
            y = eval(expr, {"x": x, "torch": lib})
        except Exception as e:  # noqa: BLE001
            return ("error", type(e).__name__, str(e).splitlines()[0])
        res = [str(y), str(y.dtype)]
        if y.grad_fn is not None:
            res += [y.grad_fn.name(), len(y.grad_fn.next_functions)]
            if hasattr(y.grad_fn, "_saved_exponent"):
                res.append(str(y.grad_fn._saved_exponent))
            y.sum().backward()
            res.append(str(x.grad))
        return res
    assert run(ak) == run(real_torch)


def test_pow_double_backward_same_as_pytorch():
    def run(lib):
        x = lib.tensor([0.5, -1.25, 2.0], requires_grad=True)
        (g,) = lib.autograd.grad((x ** 3).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return str(g.detach()), str(gg)
    assert run(ak) == run(real_torch)


# ---- the walk ----------------------------------------------------------------------------------------
class _Widen(Function):
    """A kit op (module autograd_kit.*) whose backward returns a (1, n) float64 gradient for an (n,) float32
    input: the walk sums it back and casts it as it passes it on."""
    __module__ = "autograd_kit.test_engine"
    registered = False  # a test's op: no gradcheck case

    @staticmethod
    def forward(ctx, a):
        return a._data * 2

    @staticmethod
    def backward(ctx, g):
        return ak.Tensor._make(g._data.astype(np.float64)[None] * 2)


def test_walk_fits_a_gradient_it_passes_on():
    x = ak.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = _Widen.op1(x)
    assert y.grad_fn._in_meta is None  # input and output alike: the inline check is what fits the gradient
    (y * y).sum().backward()
    assert x.grad.dtype == ak.float32 and x.grad.shape == (3,)
    np.testing.assert_array_equal(x.grad.numpy(), np.array([8.0, 16.0, 24.0], np.float32))
    steps = list(graph.backward_steps(_Widen.op1(x).sum()))
    widen = next(s for s in steps if s.node.name() == "_WidenBackward0")
    assert widen.grad_inputs[0].shape == (3,) and widen.grad_inputs[0].dtype == ak.float32


@pytest.mark.parametrize("expr", ["x + 1", "x * 1", "x - 1", "(x + 1).tanh()", "x.view(2)", "x * x"])
def test_seed_of_another_dtype_gives_leaf_grads_of_the_leafs_dtype(expr):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        eval(expr, {"x": x}).backward(lib.ones(2, dtype=lib.float64))
        return str(x.grad), str(x.grad.dtype)
    assert run(ak) == run(real_torch)


def _random_graph(lib, seed):
    rng = random.Random(seed)
    leaves = [lib.tensor([0.5 + i, -1.0 - i], requires_grad=True) for i in range(3)]
    vals = list(leaves)
    for _ in range(rng.randrange(3, 25)):
        op = rng.randrange(5)
        a, b = rng.choice(vals), rng.choice(vals)
        vals.append(a * b if op == 0 else a + b if op == 1 else a.tanh() if op == 2 else a * 0.5 if op == 3 else a - b)
    picks = rng.sample(vals[3:], min(2, len(vals) - 3))
    return leaves, picks


@pytest.mark.parametrize("seed", range(40))
def test_walk_order_is_the_heaps(seed):
    leaves, roots = _random_graph(ak, seed)
    loss = sum(r.sum() for r in roots)
    want = [n for n in graph.topological_nodes(loss)]
    got = [s.node for s in graph.backward_steps(loss, retain_graph=True)]
    assert [n.name() for n in got] == [n.name() for n in want] and all(a is b for a, b in zip(got, want))
    for leaf in leaves:
        leaf.grad = None
    loss.backward()
    t_leaves, t_roots = _random_graph(real_torch, seed)
    sum(r.sum() for r in t_roots).backward()
    for a, b in zip(leaves, t_leaves):
        assert (a.grad is None) == (b.grad is None)
        if a.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)


def test_roots_that_are_each_others_inputs_same_as_pytorch():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        z = (y * y).sum()
        w = y.tanh()
        lib.autograd.backward([w, y, z], [lib.ones(2), lib.full((2,), 0.5), lib.tensor(2.0)])
        return str(x.grad)
    assert run(ak) == run(real_torch)


# ---- VML in place on a copy ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn", ["tanh", "exp", "sin", "log"])
def test_vml_on_contiguous_and_strided_inputs_same_bits_as_pytorch(fn, dtype):
    base = np.random.default_rng(1).uniform(0.1, 3.0, (7, 9)).astype(dtype)
    for view in (lambda t: t, lambda t: t.t(), lambda t: t[:, ::2], lambda t: t[3]):
        got = getattr(view(ak.tensor(base)), fn)().numpy()
        want = getattr(view(real_torch.tensor(base)), fn)().numpy()
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.tobytes() == np.ascontiguousarray(want).tobytes()
        assert base.tobytes() == np.random.default_rng(1).uniform(0.1, 3.0, (7, 9)).astype(dtype).tobytes()
