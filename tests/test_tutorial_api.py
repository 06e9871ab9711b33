"""Idioms of PyTorch's beginner tutorials that the kit must take unchanged (issue 11): NumPy-style keyword
aliases, out=, keyword names, legacy constructors and types, devices, Variable, size checks. Each line runs on
autograd_kit and on PyTorch 2.13 and must give the same repr, or the same error type and message (the kit may
add a ``Hint:`` after it)."""
import re
import warnings

import numpy as np
import pytest
import torch as real_torch

import autograd_kit as ak

CASES = r"""
r = torch.tensor([[1.,2.],[3.,4.]]).sum(1, keepdims=True)
r = torch.tensor([[1.,2.],[3.,4.]]).mean(axis=1, keepdims=True)
r = torch.tensor([[1.,2.],[3.,4.]]).max(1, keepdims=True)
r = torch.tensor([[1.,2.],[3.,4.]]).std(axis=0, keepdims=True)
r = torch.sum(x=torch.ones(2, 3), axis=0)
r = torch.sum(a=torch.ones(2))
r = torch.cat([torch.ones(1), torch.zeros(2)], axis=0)
r = torch.matmul(x1=torch.ones(2, 2), x2=torch.ones(2))
r = torch.ones(2).sum(dim=0, keepdims=True, keepdim=True)
r = torch.tensor([1., 100., 1000.]).log10()
r = torch.log10(torch.tensor([[1., 10.], [0.1, 1e5]]))
r = torch.log2(torch.tensor([1., 8., 0.5]))
r = torch.tensor([0., 1., -1.]).expm1()
r = torch.exp2(torch.tensor([0., 1., 3.]))
r = torch.tensor([0.5, -0.25]).asin(), torch.acos(torch.tensor([0.5])), torch.atan(torch.tensor([1.]))
r = torch.tensor([1., 2.]).tan(), torch.sinh(torch.tensor([1.])), torch.cosh(torch.tensor([1.]))
x = torch.tensor([0.5, 2.], requires_grad=True); x.log10().sum().backward(); r = x.grad, x.log10().grad_fn.name()
x = torch.tensor([0.5, 2.], requires_grad=True); torch.log2(x).sum().backward(); r = x.grad
x = torch.tensor([0.3, -0.2], requires_grad=True); (x.asin() + x.atan() + x.tan() + x.sinh()).sum().backward(); r = x.grad
r = torch.tril(torch.ones(3, 3)), torch.ones(3, 4).triu(1), torch.ones(3, 3).tril(-1)
x = torch.ones(3, 3, requires_grad=True); y = x.tril(); y.sum().backward(); r = x.grad, y.grad_fn.name()
r = torch.tril(torch.ones(3))
r = torch.diag(torch.tensor([1., 2.])), torch.diag(torch.tensor([[1., 2.], [3., 4.]])), torch.diag(torch.tensor([1, 2]), 1)
x = torch.tensor([1., 2.], requires_grad=True); torch.diag(x).sum().backward(); r = x.grad
r = torch.tensor([0.1234, 2.5, 3.5]).round(decimals=2), torch.round(torch.tensor([2.5, 3.5]))
x = torch.ones(2); y = torch.ones(2); o = torch.empty(2); p = torch.add(x, y, out=o); r = o, p is o
o = torch.empty(2, 2); torch.matmul(torch.ones(2, 2), torch.ones(2, 2), out=o); r = o
o = torch.empty(2, 3); torch.mul(torch.ones(2, 3), 2, out=o); r = o
o = torch.zeros(3); r = torch.add(torch.ones(2), 1, out=o), o.shape
r = torch.add(torch.ones(2, requires_grad=True), 1, out=torch.empty(2))
r = torch.add(torch.ones(2), 1.5, out=torch.empty(2, dtype=torch.long))
o = torch.empty(2); torch.exp(torch.zeros(2), out=o); r = o
r = torch.matmul(input=torch.ones(2, 2), other=torch.ones(2))
r = torch.add(input=torch.ones(2), other=torch.ones(2), alpha=2)
r = torch.mm(input=torch.ones(1, 2), mat2=torch.ones(2, 1)), torch.mv(input=torch.ones(2, 2), vec=torch.ones(2))
r = torch.dot(input=torch.ones(2), tensor=torch.ones(2)), torch.bmm(input=torch.ones(1, 1, 2), mat2=torch.ones(1, 2, 1))
r = torch.randn(size=(3,)).shape, torch.rand(size=[2, 2]).dtype, torch.zeros(size=(2, 3)), torch.ones(size=(1,))
r = torch.randn(size=(2,), dtype=torch.float64).dtype
r = torch.empty(size=(2, 3)).shape
r = torch.ones(2, dtype=torch.int64).type(torch.FloatTensor)
r = torch.ones(2).type(torch.DoubleTensor).dtype, torch.ones(2).type(torch.IntTensor), torch.ones(2).type(torch.LongTensor)
r = torch.ones(2).type('torch.IntTensor'), torch.ones(2).type(), torch.ones(2, dtype=torch.int64).type(torch.Tensor)
r = torch.ones(2).type(torch.cuda.FloatTensor)
r = torch.FloatTensor([-1, -2, 1, 2])
r = torch.LongTensor([1.7, 2]), torch.IntTensor([1, 2]), torch.DoubleTensor([1]), torch.BoolTensor([1, 0]), torch.ByteTensor([3])
r = torch.FloatTensor(2, 3).shape, torch.FloatTensor(torch.Size([2, 3])).shape, torch.FloatTensor((2, 3)), torch.FloatTensor()
r = torch.FloatTensor([[1, 2], [3, 4]]), torch.HalfTensor([1])
r = torch.FloatTensor(2.5)
r = torch.cuda.FloatTensor([1.])
r = torch.Tensor([1, 2]), torch.Tensor(2, 3).shape, torch.Tensor([[1, 2]]).dtype
r = isinstance(torch.ones(2), torch.FloatTensor), isinstance(torch.ones(2, dtype=torch.float64), torch.FloatTensor)
r = isinstance(torch.tensor([1]), torch.LongTensor), isinstance(torch.nn.Parameter(torch.ones(2)), torch.FloatTensor)
r = type(torch.ones(2)) is torch.FloatTensor, torch.FloatTensor.dtype, torch.FloatTensor.is_cuda
r = torch.ones(4.0, 1)
r = torch.zeros(4.0)
r = torch.ones(2, 3.5)
r = torch.ones((2, 3.0))
r = torch.zeros(2, torch.tensor(3)).shape, torch.ones(np.int64(2)).shape
r = torch.cuda.is_available(), torch.cuda.device_count(), torch.cuda.is_initialized(), torch.backends.mps.is_available()
r = torch.backends.mps.is_built(), torch.backends.cudnn.is_available(), torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark
r = torch.accelerator.is_available(), torch.accelerator.current_accelerator(), torch.accelerator.device_count()
r = torch.cuda.manual_seed(0), torch.cuda.manual_seed_all(0), torch.cuda.empty_cache()
r = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
r = torch.device('cuda:0'), torch.device('cuda').type, torch.get_default_device()
r = torch.ones(2).to('cpu'), torch.ones(2).to(torch.device('cpu')), torch.ones(2).to(device='cpu', dtype=torch.float64)
r = torch.ones(2).to('cpu', non_blocking=True), torch.ones(2).to('cpu:0'), torch.ones(2).cpu()
r = torch.ones(2, device='cpu'), torch.tensor([1.], device=torch.device('cpu')), torch.arange(3, device='cpu')
r = torch.zeros_like(torch.ones(2), device='cpu'), torch.full((2,), 1., device='cpu'), torch.eye(2, device='cpu')
r = torch.ones(2).is_cpu, torch.ones(2).get_device(), torch.ones(2).is_cuda, str(torch.ones(2).device)
r = torch.ones(2).to('cuda')
r = torch.ones(2).to(device='cuda')
r = torch.ones(2).to(torch.device('cuda:0'))
r = torch.ones(2).cuda()
r = torch.ones(2).cuda(0)
r = torch.ones(2).cuda('cuda:0')
r = torch.ones(2).to(0)
r = torch.ones(2, device=0)
r = torch.ones(2, device='cuda')
r = torch.zeros(2, device=torch.device('cuda'))
r = torch.tensor([1.], device='cuda')
r = torch.randn(2, device='cuda')
r = torch.ones(2).to('mps')
r = torch.ones(2).to('xpu')
r = torch.cuda.current_device()
r = torch.cuda.get_device_name(0)
r = torch.cuda.synchronize()
from torch.autograd import Variable; r = Variable(torch.ones(2), requires_grad=True)
from torch.autograd import Variable; v = Variable(torch.ones(2)); r = v, v.is_leaf, v.requires_grad, isinstance(v, Variable)
from torch.autograd import Variable; r = Variable([1.])
from torch.autograd import Variable; r = Variable()
from torch.autograd import Variable; x = torch.ones(2); v = Variable(x, requires_grad=True); (v * 2).sum().backward(); r = v.grad, x.grad
r = torch.ones(2).random_(1, 2), torch.empty(3).random_(4).max() < 4, torch.empty((), dtype=torch.int64).random_().item() >= 0
"""


def _prepare(mod, code):
    return code.replace("from torch.autograd", f"from {mod.__name__}.autograd")


def run(mod, code):
    ns = {"torch": mod, "np": np}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(_prepare(mod, code), ns)
        return "ok", re.sub(r"0x[0-9a-f]+", "0x", repr(ns.get("r")))
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return type(e).__name__, str(e).split("\nHint:")[0]


@pytest.mark.parametrize("code", [c for c in CASES.strip("\n").split("\n") if c.strip()])
def test_same_as_pytorch(code):
    assert run(ak, code) == run(real_torch, code)


def test_device_errors_carry_a_hint():
    for code in ("torch.ones(2).to('cuda')", "torch.ones(2, device='cuda')", "torch.ones(2).cuda()"):
        with pytest.raises(AssertionError) as e:
            eval(code, {"torch": ak})
        assert str(e.value).startswith("Torch not compiled with CUDA enabled\nHint:")


def test_type_prints_the_package_name():
    assert repr(type(ak.ones(2))) == "<class 'autograd_kit.Tensor'>"
    assert repr(type(real_torch.ones(2))) == "<class 'torch.Tensor'>"
    assert repr(ak.FloatTensor) == "<class 'autograd_kit.FloatTensor'>"
    assert repr(ak.cuda.FloatTensor) == "<class 'autograd_kit.cuda.FloatTensor'>"


def test_out_bumps_the_version_and_warns_on_resize():
    o = ak.zeros(3)
    v = o._version
    with pytest.warns(UserWarning, match=r"An output with one or more elements was resized since it had shape \[3\]"):
        ak.add(ak.ones(2), 1, out=o)
    assert o._version > v and o.tolist() == [2.0, 2.0]


def test_variable_volatile_warns_like_pytorch():
    from autograd_kit.autograd import Variable
    with pytest.warns(UserWarning, match="volatile was removed and now has no effect"):
        Variable(ak.ones(2), volatile=True)


SCATTER_CASES = r"""
r = torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(3), value=1)
r = torch.zeros(3, 4).scatter_(1, torch.tensor([[2], [0], [3]]), 1.0)
r = torch.zeros(2, 3).scatter(0, torch.tensor([[1, 0, 1]]), torch.tensor([[5., 6., 7.]]))
r = torch.zeros(5).scatter_add(0, torch.tensor([0, 1, 1, 4]), torch.ones(4))
x = torch.ones(2, 3, requires_grad=True); s = torch.full((2, 2), 2., requires_grad=True); y = x.scatter(1, torch.tensor([[2, 0], [1, 1]]), s); (y * torch.arange(6.).view(2, 3)).sum().backward(); r = y, x.grad, s.grad, y.grad_fn.name()
r = torch.zeros(3).scatter_(0, torch.tensor([0.]), 1.)
"""


@pytest.mark.parametrize("code", [c for c in SCATTER_CASES.strip("\n").split("\n") if c.strip()])
def test_scatter_same_as_pytorch(code):
    assert run(ak, code) == run(real_torch, code)


COMPOSED_CASES = r"""
r = torch.lerp(torch.zeros(2), torch.ones(2), 0.25), torch.addcmul(torch.zeros(2), torch.ones(2), torch.full((2,), 3.), value=2)
r = torch.addcdiv(torch.ones(2), torch.ones(2), torch.full((2,), 4.), value=-1)
r = torch.nan_to_num(torch.tensor([float('nan'), float('inf'), -float('inf'), 1.])), torch.nan_to_num(torch.tensor([float('nan')]), nan=2.)
r = torch.roll(torch.tensor([1., 2., 3., 4.]), 1), torch.arange(6.).view(2, 3).roll(-1, 1), torch.arange(6).view(2, 3).roll(1)
r = torch.arange(6).view(2, 3).roll((1, 1), (0, 1))
x = torch.arange(4., requires_grad=True); (torch.roll(x, 1) * torch.arange(4.)).sum().backward(); r = x.grad
r = torch.tensor([[1, 2], [3, 4]]).trace(), torch.trace(torch.arange(9.).view(3, 3))
r = torch.dist(torch.tensor([1., 2.]), torch.tensor([4., 6.])), torch.cdist(torch.tensor([[0., 0.], [1., 1.]]), torch.tensor([[3., 4.]]))
r = torch.tensor([1., 2., 3., 4.]).median(), torch.tensor([[1., 5., 2.], [3., 0., 4.]]).median(1), torch.median(torch.tensor([[1., 5.], [3., 0.]]), 0, keepdim=True)
x = torch.tensor([3., 1., 2.], requires_grad=True); x.median().backward(); r = x.grad
r = torch.zeros(3).index_add_(0, torch.tensor([0, 2, 0]), torch.ones(3)), torch.zeros(2, 3).index_add(1, torch.tensor([2, 2]), torch.ones(2, 2), alpha=3)
x = torch.ones(3, 2, requires_grad=True); y = torch.zeros(2, 2).index_add(0, torch.tensor([1, 1, 0]), x * 2); y.sum().backward(); r = y, x.grad
r = torch.tensor([[1, 2], [3, 4]]).fliplr(), torch.flipud(torch.tensor([[1, 2], [3, 4]])), torch.atleast_2d(torch.tensor(1.)).shape, torch.atleast_3d(torch.ones(2, 3)).shape
r = torch.logical_and(torch.tensor([True, False]), torch.tensor([True, True])), torch.logical_or(torch.tensor([0, 1]), torch.tensor([0, 0]))
r = torch.logical_not(torch.tensor([0, 3])), torch.tensor([1., 0.]).logical_not(), torch.logical_xor(torch.tensor([True]), torch.tensor([True]))
r = torch.count_nonzero(torch.tensor([0, 1, 2])), torch.count_nonzero(torch.tensor([[0, 1], [2, 3]]), dim=0)
r = torch.bincount(torch.tensor([0, 1, 1, 3])), torch.bincount(torch.tensor([0, 2]), weights=torch.tensor([0.5, 1.5]), minlength=4)
r = torch.tensor([1.7, 2.2]).type_as(torch.tensor([1])), torch.tensor([1, 2]).type_as(torch.ones(1, dtype=torch.float64))
"""


@pytest.mark.parametrize("code", [c for c in COMPOSED_CASES.strip("\n").split("\n") if c.strip()])
def test_composed_same_as_pytorch(code):
    assert run(ak, code) == run(real_torch, code)


CUMPROD_CASES = r"""
r = torch.cumprod(torch.tensor([1., 2., 3.]), dim=0), torch.tensor([[1, 2], [3, 4]]).cumprod(1), torch.tensor([1., 2.]).cumprod(0, dtype=torch.float64)
x = torch.tensor([2., 3., 4.], requires_grad=True); y = x.cumprod(0); y.sum().backward(); r = y, x.grad
x = torch.tensor([2., 0., 4., 5.], requires_grad=True); x.cumprod(0).sum().backward(); r = x.grad
x = torch.tensor([0., 0., 4.], requires_grad=True); (x.cumprod(0) * torch.tensor([1., 2., 3.])).sum().backward(); r = x.grad
"""


@pytest.mark.parametrize("code", [c for c in CUMPROD_CASES.strip("\n").split("\n") if c.strip()])
def test_cumprod_same_as_pytorch(code):
    assert run(ak, code) == run(real_torch, code)


LINALG_CASES = r"""
r = torch.linalg.norm(torch.tensor([3., 4.])), torch.linalg.vector_norm(torch.tensor([3., -4.]), ord=1), torch.linalg.norm(torch.ones(2, 3))
r = torch.linalg.norm(torch.arange(6.).view(2, 3), dim=1), torch.linalg.matrix_norm(torch.ones(2, 2)), torch.linalg.norm(torch.ones(2, 2), 'fro')
x = torch.tensor([3., 4.], requires_grad=True); y = torch.linalg.norm(x); y.backward(); r = y, x.grad
r = torch.linalg.vector_norm(torch.ones(2, 2), dim=(0, 1), keepdim=True), torch.linalg.norm(torch.tensor([1., -2.]), float('inf'))
"""


@pytest.mark.parametrize("code", [c for c in LINALG_CASES.strip("\n").split("\n") if c.strip()])
def test_linalg_same_as_pytorch(code):
    assert run(ak, code) == run(real_torch, code)
