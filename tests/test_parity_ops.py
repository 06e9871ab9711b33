"""Op-level parity with PyTorch 2.13: grad_fn names and next_functions chains, values and gradients,
error types and first lines. Each line runs with ``torch`` = autograd_kit and = real PyTorch; ``chain(t)``
gives the grad_fn names three levels deep and ``twice(f, x)`` tells whether backward through ``f(x)`` can
run a second time."""
import re

import numpy as np
import pytest
import torch as real_torch

import autograd_kit as ak


def chain(t, depth=3):
    def walk(fn, d):
        if fn is None:
            return None
        if d == 0:
            return fn.name()
        return (fn.name(), tuple(walk(f, d - 1) for f, _ in fn.next_functions))
    return walk(t.grad_fn, depth)


def twice(f, x):
    y = f(x).sum()
    y.backward()
    try:
        y.backward()
        return "ok"
    except RuntimeError as e:
        return str(e)


# grad_fn names and the chains behind them
NAMES = """
r = chain(x.prod())
r = chain(m.prod(1))
r = chain(x.cumsum(0))
r = chain(torch.cumsum(m, 1))
r = chain(x % 2)
r = chain(x % x)
r = chain(x // 2)
r = chain(2 / x)
r = chain(1 / (1 + torch.exp(-x)))
r = chain(x.reciprocal())
r = chain(x.rsqrt())
r = chain(x.log1p())
r = chain(2 ** x)
r = chain(torch.pow(2, x))
r = chain(torch.maximum(x, x * 2))
r = chain(torch.max(x, x * 2))
r = chain(torch.minimum(x, x * 2))
r = chain(torch.min(x, x * 2))
r = chain(x.masked_fill(x > 2, 0.))
r = chain(x.amax())
r = chain(m.amax(1))
r = chain(m.amin((0, 1)))
r = chain(x.norm())
r = chain(m.norm(dim=1))
r = chain(torch.norm(m, p=1))
r = chain(torch.logsumexp(m, 1))
r = chain(x.sort().values)
r = chain(m.sort(1, descending=True).values)
r = chain(x.topk(1).values)
r = chain(x.split(1)[0])
r = chain(m.split([1, 2], dim=1)[1])
r = chain(x.chunk(2)[1])
r = chain(m.unbind(1)[2])
r = chain(x[:, None])
r = chain(x[None])
r = chain(x[..., None])
r = chain(x[...])
r = chain(m[0, :2])
r = chain(m[1:, None])
r = chain(m[None, 0])
r = chain(m[0, None])
r = chain(m[:, None, 1])
r = chain(m[:, :2])
r = chain(m[0:2, 0:3])
r = chain(m[:])
r = chain(m[[0, 1]])
r = chain(m.t().reshape(6))
r = chain(m.t().flatten())
r = chain(m.reshape(6))
r = chain(m.T.reshape(3, 1, 2))
r = chain(x.repeat(2))
r = chain(m.repeat(2, 1))
r = chain(x.t())
r = chain(x.clamp_min(2.5))
r = chain(x.clamp_max(2.5))
r = chain(torch.clamp(x, min=torch.tensor(0.)))
r = chain(torch.clamp(x, torch.tensor(0.), 1.))
r = chain(x.select(0, 1))
r = chain(x.index_select(0, torch.tensor([1])))
r = chain(x.true_divide(2))
r = chain(torch.div(x, 2, rounding_mode="floor"))
r = chain(x.flip(0))
r = chain(torch.outer(x, x))
r = (x * 2).grad_fn._saved_other
r = (x * 2.5).grad_fn._saved_other
r = (x / 2).grad_fn._saved_other
r = chain(x.sort(stable=True).values)
r = [t.grad_fn.name() for t in torch.var_mean(m, 1) + torch.std_mean(m)]
r = chain(torch.div(x, 2, rounding_mode="trunc"))
r = chain(x.masked_fill(torch.tensor([True, False]), torch.tensor(5.)))
r = (x // 2, x // x)
r = chain(torch.unique(x))
"""

# values and gradients
VALUES = """
(x.prod() + x.sum()).backward(); r = x.grad
(x * x.cumsum(0)).sum().backward(); r = x.grad
m.prod(1).sum().backward(); r = m.grad
z = torch.tensor([0., 2., 0.], requires_grad=True); z.prod().backward(); r = z.grad
z = torch.tensor([0., 2., 3.], requires_grad=True); z.prod().backward(); r = z.grad
z = torch.tensor([[0., 2.], [3., 4.]], requires_grad=True); z.prod(0).sum().backward(); r = z.grad
z = torch.tensor([0., 2., 3.], requires_grad=True); g, = torch.autograd.grad(z.prod(), z, create_graph=True); g.sum().backward(); r = (g, z.grad)
r = torch.tensor([[1, 2], [3, 4]]).prod(1)
r = torch.tensor([[1, 2], [3, 4]]).cumsum(0)
(x % 2).sum().backward(); r = (x % 2, x.grad)
y = torch.tensor([3., 4.], requires_grad=True); (y % x).sum().backward(); r = (y % x, y.grad, x.grad)
r = (x // 2, (x // 2).requires_grad)
(x // 2).sum().backward()
(2 / x).sum().backward(); r = (2 / x, x.grad)
(1 / (1 + torch.exp(-x))).sum().backward(); r = x.grad
x.rsqrt().sum().backward(); r = (x.rsqrt(), x.grad)
x.log1p().sum().backward(); r = (x.log1p(), x.grad)
(2 ** x).sum().backward(); r = (2 ** x, x.grad)
z = torch.tensor(0., requires_grad=True); (z ** z).backward(); r = z.grad
z = torch.tensor(-1., requires_grad=True); (0 ** z).backward(); r = z.grad
z = torch.tensor(-1., requires_grad=True); (torch.tensor(0.) ** z).backward(); r = z.grad
z = torch.tensor([1., 1., 2.], requires_grad=True); torch.maximum(z, torch.tensor([1., 0., 3.])).sum().backward(); r = z.grad
z = torch.tensor([1., 1., 2.], requires_grad=True); w = torch.tensor([1., 0., 3.], requires_grad=True); torch.min(z, w).sum().backward(); r = (z.grad, w.grad)
x.masked_fill(x > 2, 0.).sum().backward(); r = x.grad
z = torch.tensor([1., 3., 3.], requires_grad=True); z.amax().backward(); r = z.grad
m.amax(1).sum().backward(); r = m.grad
z = torch.zeros(3, requires_grad=True); z.norm().backward(); r = z.grad
x.norm().backward(); r = (x.norm(), x.grad)
m.norm(dim=0).sum().backward(); r = m.grad
z = torch.tensor([1., -3., 3.], requires_grad=True); z.norm(p=float("inf")).backward(); r = z.grad
z = torch.tensor([1., -3., 2.], requires_grad=True); z.norm(p=1).backward(); r = z.grad
z = torch.tensor([1., -3., 2.], requires_grad=True); z.norm(p=3).backward(); r = (z.norm(p=3), z.grad)
torch.logsumexp(m, 1).sum().backward(); r = (torch.logsumexp(m, 1), m.grad)
r = torch.logsumexp(torch.tensor([-float("inf"), -float("inf")]), 0)
r = torch.logsumexp(torch.tensor([1000., 1000.]), 0)
(x.sort(descending=True).values * torch.tensor([1., 10.])).sum().backward(); r = x.grad
(m.topk(2, dim=1).values * torch.tensor([1., 10.])).sum().backward(); r = (m.topk(2, dim=1), m.grad)
(m.split(2, dim=1)[1] * 3).sum().backward(); r = m.grad
(m.chunk(2)[1] * 3).sum().backward(); r = m.grad
a, b, c = m.unbind(1); (a + 2 * b).sum().backward(); r = m.grad
m[:, None, 1:].sum().backward(); r = m.grad
(m.repeat(2, 3) * torch.arange(36.).reshape(4, 9)).sum().backward(); r = (m.repeat(2, 1), m.grad)
(x.repeat(2, 2) * torch.arange(8.).reshape(2, 4)).sum().backward(); r = x.grad
(m.t().reshape(6) * torch.arange(6.)).sum().backward(); r = m.grad
(x.flip(0) * torch.tensor([1., 10.])).sum().backward(); r = (x.flip(0), x.grad)
r = x.argsort(descending=True)
r = torch.var_mean(m, 1)
r = torch.std_mean(m)
r = m.clamp_min(2.5)
r = m.index_select(1, torch.tensor([2, 0]))
m.index_select(1, torch.tensor([2, 0, 0])).sum().backward(); r = m.grad
r = (m.select(1, -1), m.select(0, 0).grad_fn.name())
r = torch.arange(-1., 1., 0.1)
r = torch.arange(-1., 1., 0.1)[10].item()
r = torch.cat([torch.ones(2), torch.tensor([1, 2])])
r = torch.stack([torch.ones(2), torch.tensor([1, 2])])
r = (torch.tensor([2]) ** torch.tensor([-1]), 2 ** torch.tensor([1, 2]), 2. ** torch.tensor([1, 2]), 2 ** torch.tensor([-1]))
r = (torch.tensor([5, -3]) % 2, torch.tensor([5., -3.]) % 0., torch.tensor([5, -3]) // 2, torch.tensor([5., -3.]) // 2)
r = torch.div(torch.tensor([5, -3]), 2, rounding_mode="trunc")
r = (m.amax(()), m.amin(dim=0, keepdim=True), m.norm(p="fro", dim=0), m.norm(0), m.logsumexp(0, keepdim=True))
r = (m.prod(dtype=torch.float64), torch.tensor([True, True]).prod(), torch.tensor([True, True]).cumsum(0))
r = torch.cat([torch.tensor([1, 2]), torch.tensor([True])])
r = torch.ones(2) + np.ones(2)
r = torch.ones(2) + np.array(1.)
r = torch.ones(2) * np.ones(2, dtype=np.int64)
r = torch.unique(torch.cat([x, x]), return_counts=True)
torch.unique(x).sum().backward()
r = torch.einsum("ij,ij->i", m, m).detach()
torch.einsum("ij,jk->ik", m, m.t()).sum().backward(); r = m.grad
torch.einsum("ij->", m).backward(); r = m.grad
"""

# error types and first lines
ERRORS = """
torch.ones(2, 2, 3) @ torch.ones(2, 4, 5)
torch.ones(2, 2, 3) @ torch.ones(3, 4, 5)
torch.ones(2, 3) @ torch.ones(2, 4, 5)
torch.ones(2, 2, 3) @ torch.ones(4, 5)
torch.ones(3) @ torch.ones(2, 4, 5)
torch.ones(2, 2, 3) @ torch.ones(4)
torch.ones(3, 1, 2, 3) @ torch.ones(2, 4, 5)
torch.ones(2, 3, 2, 3) @ torch.ones(2, 4, 5)
torch.ones(3) @ torch.tensor([1, 2, 3])
torch.dot(torch.ones(3), torch.tensor([1, 2, 3]))
torch.ones(2, 2, 3) @ torch.ones(2, 3, 2, dtype=torch.float64)
torch.where(torch.ones(3) > 0, torch.ones(2), 0.)
torch.ones(2, 2).expand(3, 3)
torch.ones(2, 2).expand(3)
torch.tensor([1, 2]) ** -1
torch.tensor([True]) - torch.tensor([False])
torch.tensor([True]) - 1
1 - torch.tensor([True])
torch.ones(2, 3)[0, 0, 0]
torch.tensor(2.)[0]
torch.tensor(2.)[:]
torch.ones(2, 3)[:, 5]
torch.ones(2, 3)[torch.tensor([True, False, True])]
torch.ones(2, 3)[:, torch.tensor([True, False])]
torch.cat([])
torch.cat(torch.ones(2))
torch.stack(torch.ones(2))
torch.stack([])
torch.ones(3).softmax()
torch.softmax(torch.ones(3))
torch.ones(3).log_softmax()
z = torch.ones(3); z += torch.ones(2, 3)
z = torch.ones(3); z.add_(torch.ones(2, 3))
z = torch.ones(3, requires_grad=True) * 1; z += torch.ones(2, 3)
torch.clamp(x, torch.tensor([0., 0.]), 1.)
torch.maximum(x, 2.)
x.masked_fill(torch.tensor([1, 0]), 0.)
x.select(0, 5)
x.index_select(0, torch.tensor([[0]]))
x.index_select(0, torch.tensor([0.]))
x.topk(3)
torch.ones(3)[::-1]
(x // 2).sum().backward()
torch.unique(x).sum().backward()
"""

# in-place and missing methods
METHODS = """
z = torch.tensor([1., 4.]); z.sqrt_(); r = z
z = torch.tensor([1., 4.]); z.clamp_min_(2.); z.clamp_max_(3.); r = z
z = torch.tensor([1., -4.]); z.relu_(); z.exp_(); z.tanh_(); z.sigmoid_(); r = z
z = torch.tensor([1., 4.]); z.log_(); z.abs_(); z.sin_(); z.cos_(); z.sqrt_(); r = z
z = torch.tensor([1., 4.]); z.unsqueeze_(0); r = z.shape
z = torch.ones(2, 1, 3); z.squeeze_(); r = z.shape
z = torch.ones(2, 1, 3); z.squeeze_(1); r = z.shape
z = torch.ones(2, 3); z.t_(); r = z.shape
z = torch.tensor([1., 4.], requires_grad=True) * 1; z.sqrt_(); z.sum().backward(); r = z
x.sqrt_()
"""

TWICE = """
r = twice(lambda a: 2 * a, x)
r = twice(lambda a: a * 2, x)
r = twice(lambda a: a / 2, x)
r = twice(lambda a: 2 / a, x)
r = twice(lambda a: a + 1, x)
r = twice(lambda a: a - 1, x)
r = twice(lambda a: 1 - a, x)
r = twice(lambda a: a ** 2, x)
r = twice(lambda a: a * a, x)
r = twice(lambda a: torch.where(a > 0, a, 0.), x)
r = twice(lambda a: a.masked_fill(a > 2, 1.), x)
r = twice(lambda a: a % 2, x)
r = twice(lambda a: torch.add(a, 1, alpha=2), x)
r = twice(lambda a: a.reshape(2, 1) * 1, x)
r = twice(lambda a: a.sum(), x)
"""

SETUP = "x = torch.tensor([2., 3.], requires_grad=True); m = torch.arange(1., 7.).reshape(2, 3).requires_grad_()\n"


def run(mod, code):
    ns = {"torch": mod, "np": np, "chain": chain, "twice": twice}
    try:
        exec(SETUP + code, ns)
        return "ok", re.sub(r"0x[0-9a-f]+", "0x", repr(ns.get("r")))
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return type(e).__name__, str(e).split("\nHint:")[0]


def _lines(block):
    return [c for c in block.strip("\n").split("\n") if c.strip()]


@pytest.mark.parametrize("code", _lines(NAMES) + _lines(VALUES) + _lines(ERRORS) + _lines(METHODS) + _lines(TWICE))
def test_same_as_pytorch(code):
    assert run(ak, code) == run(real_torch, code)


def test_float32_math_within_one_ulp_and_ranges_exact():
    """float32 transcendental results (NumPy's float32 kernels) are within 2 ulp of PyTorch's SIMD
    kernels; arange and linspace follow PyTorch's kernels to the last bit."""
    v = np.linspace(-3, 3, 101, dtype=np.float32)
    for fn in (lambda t: t.sigmoid(), lambda t: t.softmax(0), lambda t: t.exp(), lambda t: t.tanh(),
               lambda t: t.abs().log(), lambda t: t.sin(), lambda t: t.abs().sqrt()):
        np.testing.assert_array_max_ulp(fn(ak.tensor(v)).numpy(), fn(real_torch.tensor(v)).numpy(), 2)
    for args in ((0, 1, 7), (-2.5, 3, 11), (0, 10, 100), (-3, 7.3, 1000), (5, -1, 33)):
        assert np.array_equal(ak.linspace(*args).numpy(), real_torch.linspace(*args).numpy())
    for args in ((-1., 1., 0.1), (0., 5., 0.3), (-3., 3., 0.07), (1.5, 100., 0.37)):
        assert np.array_equal(ak.arange(*args).numpy(), real_torch.arange(*args).numpy())


def _f64(*values):
    return ak.tensor(values, dtype=ak.float64, requires_grad=True)


@pytest.mark.parametrize("fn, inputs", [
    (lambda a: a.prod(), [_f64(0.0, 2.0, 3.0)]),  # a zero: the product-of-others path, under create_graph
    (lambda a: a.reshape(2, 2).prod(1), [_f64(0.0, 2.0, 3.0, 0.5)]),
    (lambda a: a.prod(), [_f64(0.5, 2.0, 3.0)]),
    (lambda a: a.cumsum(0) * a, [_f64(0.5, 2.0, 3.0)]),
    (lambda a: a.reciprocal() + a.rsqrt() + a.log1p() + 2 ** a, [_f64(0.5, 2.0, 3.0)]),
    (lambda a: a.reshape(1, 3).logsumexp(1) + a.norm() + a.norm(p=3), [_f64(0.5, -2.0, 3.0)]),
    (lambda a, b: ak.einsum("i,j->ij", a, b) * a.reshape(3, 1), [_f64(0.5, -2.0, 3.0), _f64(1.5, 2.0)]),
    (lambda a, b: ak.maximum(a, b) * a, [_f64(0.5, -2.0, 3.0), _f64(1.5, -3.0, 2.0)]),
    (lambda a: a.repeat(2).flip(0) * a.repeat(2), [_f64(0.5, -2.0, 3.0)]),
])
def test_second_order(fn, inputs):
    assert ak.autograd.gradgradcheck(fn, inputs)
