"""Parity with PyTorch 2.13: the same code, run with ``torch`` = autograd_kit and = real PyTorch,
must print the same thing (values, dtypes, grad_fn names) or fail with the same error type and message
(the kit may add a teaching hint on later lines)."""
import re

import numpy as np
import pytest
import torch as real_torch

import autograd_kit as ak

CASES = """
x = torch.tensor([1.,2.,3.], requires_grad=True); y = (x*x).sum(); y.backward(); r = x.grad
x = torch.tensor([[1.,2.],[3.,4.]], requires_grad=True); r = x.max(dim=1)
x = torch.tensor([[1.,2.],[3.,4.]], requires_grad=True); v,i = x.max(dim=0); v.sum().backward(); r = x.grad
x = torch.tensor([[1.,5.],[3.,4.]], requires_grad=True); x.max().backward(); r = x.grad
x = torch.tensor([1.,2.,3.], requires_grad=True); r = x.softmax(0)
x = torch.tensor([1.,2.,3.], requires_grad=True); (x.softmax(0)*torch.tensor([1.,0.,0.])).sum().backward(); r = x.grad
x = torch.tensor([1.,2.,3.], requires_grad=True); (x.log_softmax(0)*torch.tensor([1.,0.,0.])).sum().backward(); r = x.grad
x = torch.tensor([1.,2.,3.], requires_grad=True); r = x.var()
x = torch.tensor([1.,2.,3.], requires_grad=True); x.std().backward(); r = x.grad
x = torch.tensor([1.,2.,3.], requires_grad=True); x[torch.tensor([0,0,2])].sum().backward(); r = x.grad
x = torch.tensor([1.,2.,3.], requires_grad=True); x[x>1.5].sum().backward(); r = x.grad
x = torch.arange(6.).reshape(2,3).requires_grad_(); x[:, 1:].sum().backward(); r = x.grad
x = torch.arange(6.).reshape(2,3).requires_grad_(); r = x[0]
x = torch.arange(6.).reshape(2,3).requires_grad_(); r = x[:, None, 1]
x = torch.arange(6.).reshape(2,3).requires_grad_(); r = x.T
x = torch.arange(6.).reshape(2,3).requires_grad_(); r = x.t()
x = torch.arange(6.).reshape(2,3).requires_grad_(); r = x.view(3,2)
x = torch.arange(6.).reshape(2,3).requires_grad_(); r = x.flatten()
x = torch.arange(6.).reshape(2,3).requires_grad_(); r = x.unsqueeze(0).squeeze()
x = torch.arange(6.).reshape(2,3).requires_grad_(); r = x.permute(1,0)
x = torch.arange(3.).requires_grad_(); r = x.expand(2,3)
x = torch.arange(3.).requires_grad_(); y = torch.cat([x, x*2]); y.sum().backward(); r = (y, x.grad)
x = torch.arange(3.).requires_grad_(); y = torch.stack([x, x*2], 1); y.sum().backward(); r = (y, x.grad)
x = torch.arange(3.).requires_grad_(); r = torch.where(x > 1, x, 0.)
x = torch.arange(3.).requires_grad_(); r = x.clamp(0.5, 1.5)
x = torch.arange(3.).requires_grad_(); r = x.relu() + x.sigmoid() + x.tanh() + x.exp() + x.sin() + x.cos()
r = torch.tensor([1, 2, 3]) / 2
r = torch.tensor([1, 2, 3]) * 2.5
r = torch.tensor([1, 2, 3]) / torch.tensor([2, 2, 2])
r = torch.tensor([1., 2.]) + torch.tensor(1., dtype=torch.float64)
r = torch.tensor([1., 2.], dtype=torch.float64) + torch.tensor([1., 2.])
r = torch.tensor([1, 2]) + torch.tensor(1.5)
r = 2 ** torch.tensor([1., 2.])
r = 1 - torch.tensor([1, 2])
x = torch.tensor([1., 2.], requires_grad=True); r = 1 - x
x = torch.tensor([1., 2.], requires_grad=True); r = (2.5 - x).grad_fn.next_functions[0][0].name()
r = torch.tensor([True, False]) + 1
r = torch.arange(5)
r = torch.arange(0, 1, 0.25)
r = torch.linspace(0, 1, 5)
r = torch.zeros(2, 3, dtype=torch.float64)
r = torch.eye(2)
r = torch.full((2,), 3)
r = torch.full((2,), 3.)
r = torch.tensor(3).dtype
r = torch.tensor([1.5]).long()
r = torch.tensor(np.array([1.5, 2.]))
r = torch.tensor([[1,2],[3,4]]).sum()
r = torch.tensor([[1,2],[3,4]]).float().mean(0)
x = torch.tensor([1.,2.], requires_grad=True); y = x*2; r = y.grad_fn.next_functions
x = torch.tensor([1.,2.], requires_grad=True); r = x.sum() .backward()
x = torch.tensor([1.,2.], requires_grad=True); (x*2).backward()
x = torch.tensor([1.,2.]); (x*2).sum().backward()
x = torch.tensor([1.,2.], requires_grad=True); x.add_(1)
x = torch.tensor([1.,2.], requires_grad=True); y = x.sigmoid(); y.mul_(2); y.sum().backward()
x = torch.tensor([1.,2.], requires_grad=True); y = x*1; y[0] = 5.; y.sum().backward(); r = (y, x.grad)
x = torch.tensor([1.,2.], requires_grad=True); y = x*1; y.add_(x); y.sum().backward(); r = (y, x.grad)
x = torch.tensor([1.,2.], requires_grad=True); y = x.exp(); y.add_(1); y.sum().backward(); r = (y, x.grad)
x = torch.tensor([1.,2.], requires_grad=True); y = x[0]; y.mul_(2)
x = torch.tensor(3., requires_grad=True); y = x**3; g, = torch.autograd.grad(y, x, create_graph=True); g2, = torch.autograd.grad(g, x); r = (g, g2)
x = torch.tensor(3., requires_grad=True); z = torch.tensor(1., requires_grad=True); y = x**3; torch.autograd.grad(y, [x, z])
x = torch.tensor(3., requires_grad=True); z = torch.tensor(1., requires_grad=True); y = x**3; r = torch.autograd.grad(y, [x, z], allow_unused=True)
x = torch.tensor([1.,2.], requires_grad=True); y = x*x; y.retain_grad(); z = y.sum(); z.backward(); r = (y.grad, x.grad)
x = torch.tensor([1.,2.], requires_grad=True); y = x*x; h = y.register_hook(lambda g: g*10); y.sum().backward(); r = x.grad
x = torch.tensor([1.,2.], requires_grad=True); h = x.register_hook(lambda g: g*10); (x*x).sum().backward(); r = x.grad
x = torch.tensor([1.,2.], requires_grad=True); y = (x*x).sum(); y.backward(retain_graph=True); y.backward(); r = x.grad
x = torch.tensor([1.,2.], requires_grad=True)
with torch.no_grad(): y = x * 2
r = y
x = torch.tensor([1.,2.], requires_grad=True); r = x.detach()
r = torch.randn(2,3,4).shape
a = torch.ones(2,3,4, requires_grad=True); b = torch.ones(4,5); r = (a@b).grad_fn.name()
a = torch.ones(2,3,4, requires_grad=True); b = torch.ones(2,4,5); r = (a@b).grad_fn.name()
a = torch.ones(3, requires_grad=True); b = torch.ones(3); r = a@b
a = torch.ones(2,3, requires_grad=True); b = torch.ones(3); r = a@b
a = torch.ones(3, requires_grad=True); b = torch.ones(3, 2); r = a@b
a = torch.ones(3); b = torch.ones(4); r = a@b
a = torch.ones(2,3); b = torch.ones(4); r = a@b
a = torch.ones(2,3,4); b = torch.ones(2,5,5); r = torch.bmm(a,b)
a = torch.ones(2,3, requires_grad=True); r = torch.addmm(torch.zeros(3), a, torch.ones(3,3))
x = torch.tensor([[1.,2.],[3.,4.]]); r = x[[0,1],[1,0]]
x = torch.tensor([[1.,2.],[3.,4.]]); r = x[..., 0]
x = torch.tensor([1.,2.]); r = x[5]
x = torch.tensor([1.,2.]); r = x.item()
x = torch.tensor([1.,2.]); r = x.tolist()
r = torch.tensor([[1.,2.],[3.,4.]]).argmax(1)
r = torch.tensor([[1.,2.],[3.,4.]]).argmax()
r = torch.tensor(2.5).item()
x = torch.tensor([1.,2.]); r = x.size()
x = torch.tensor([1.,2.]); r = x.size(0)
x = torch.tensor([1.,2.]); r = x.view(1,2,1).shape
r = torch.tensor([1.,2.]) == torch.tensor([1.,3.])
r = torch.tensor(1., requires_grad=True) * 2 > 1
x = torch.ones(2, requires_grad=True); r = x.int()
r = torch.zeros(2).requires_grad_().long().requires_grad
x = torch.tensor([1, 2]); x.requires_grad_()
x = torch.tensor([1.,2.],requires_grad=True); y = x*2; y.requires_grad = False
x = torch.tensor([1.,2.],requires_grad=True); y = x*2; r = y.is_leaf
x = torch.tensor([[1.,2.],[3.,4.]], requires_grad=True); r = torch.nn.functional.softmax(x, dim=1) if False else x.sum(dim=(0,1), keepdim=True)
x = torch.tensor([[1.,2.],[3.,4.]], requires_grad=True); r = x.mean(-1, keepdim=True)
r = torch.tensor([1000., -1000.]).sigmoid()
r = torch.tensor([1000., -1000., 0.]).softmax(0)
r = torch.tensor([1000., -1000., 0.]).log_softmax(0)
x = torch.zeros(3); x[1] = 2; r = x
x = torch.zeros(3); x[torch.tensor([True, False, True])] = 2; r = x
x = torch.zeros(3); x += 1; r = x
x = torch.zeros(3, dtype=torch.long); x += 1.5
x = torch.zeros(2,3); x[0] = torch.ones(2)
r = torch.tensor([[1., 2.], [3., 4.]]).T @ torch.tensor([1., 1.])
x = torch.tensor([1.,2.,3.], requires_grad=True); r = x.gather(0, torch.tensor([2,0]))
x = torch.ones(2, requires_grad=True); r = x.sum(dim=0).grad_fn.name()
r = torch.tensor([[1.,2.]]).repeat(2, 2)
r = torch.tensor([3.,1.,2.]).sort()
x = torch.tensor([1.4, 2.6], requires_grad=True); y = (x.round() * x).sum(); y.backward(); r = (x.round(), x.floor(), x.grad)
r = torch.meshgrid(torch.arange(3), torch.arange(2), indexing="xy")
r = torch.tensor([[1., 2.], [3., 4.]]).sum(axis=0)
r = (torch.hstack([torch.ones(2), torch.zeros(1)]), torch.vstack([torch.ones(2), torch.zeros(2)]))
x = torch.tensor([1.,2.], requires_grad=True); y=x.exp(); r = y.grad_fn._saved_result
x = torch.tensor([1.,2.], requires_grad=True); y=x*x; r = y.grad_fn._saved_self
x = torch.tensor([1.,2.], requires_grad=True); y=(x*x).sum(); y.backward(); r = x.grad.zero_()
"""

MULTILINE = [
    """x = torch.tensor([1.,2.], requires_grad=True)
with torch.no_grad(): y = x * 2
r = (y, y.requires_grad)""",
    """@torch.no_grad()
def f(x): return x * 2
r = f(torch.ones(2, requires_grad=True)).requires_grad""",
    """x = torch.ones(2, requires_grad=True)
with torch.no_grad():
    with torch.enable_grad():
        y = x * 2
r = y.requires_grad""",
    """x = torch.ones(2, requires_grad=True)
with torch.set_grad_enabled(False):
    y = x * 2
r = (y.requires_grad, torch.is_grad_enabled())""",
    """x = torch.ones(2, requires_grad=True)
with torch.inference_mode():
    y = x * 2
r = (y.requires_grad, y.is_inference())""",
]


def run(mod, code):
    ns = {"torch": mod, "np": np}
    try:
        exec(code, ns)
        return "ok", re.sub(r"0x[0-9a-f]+", "0x", repr(ns.get("r")))
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return type(e).__name__, str(e).split("\nHint:")[0]


@pytest.mark.parametrize("code", [c for c in CASES.strip("\n").split("\n") if c.strip()] + MULTILINE)
def test_same_as_pytorch(code):
    assert run(ak, code) == run(real_torch, code)


def test_inference_tensors_cannot_be_saved_for_backward():
    code = """with torch.inference_mode(): x = torch.ones(2)
w = torch.ones(2, requires_grad=True)
(w + x).sum().backward()
r = (w.grad, x.is_inference())
(w * x).sum().backward()"""
    assert run(ak, code) == run(real_torch, code)
