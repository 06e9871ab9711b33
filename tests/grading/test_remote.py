"""The trusted side: student values as exact trusted types, proxies, tensors shared across the boundary, and
feedback that never shows hidden test source. The agent runs unsandboxed here (the boundary is the
process; the sandbox has its own tests), so these run anywhere."""
import math

import numpy as np
import pytest

import autograd_kit as torch
from autograd_kit import nn
from autograd_kit.grading import sandbox
from autograd_kit.grading.remote import RemoteError, RemoteObject, Session
from autograd_kit.grading.tests import run_test, feedback_for, trusted_namespace

STUDENT = '''
import numpy as np
import autograd_kit as torch
from autograd_kit import nn
class Liar(float):
    def __eq__(s, o): return True
    def __float__(s): return 72.0
    def __repr__(s): return "72.0"
class LyingArray(np.ndarray):
    def __eq__(s, o): return np.ones(s.shape, bool)
    def tolist(s): return [72.0] * s.size
class LyingTensor(torch.Tensor):
    __slots__ = ()
    def item(self): return 72.0
    def tolist(self): return [72.0]
liar = Liar(3.0)
arr = np.array([1.0, 2.0, 3.0]).view(LyingArray)
lt = torch.tensor([1.5]); lt.__class__ = LyingTensor
grad_by_hand = 26
scalar = np.float32(2.5)
x = torch.tensor(4.0, requires_grad=True)
y = 3 * x**2 + 2 * x
y.backward()
grad_autograd = x.grad
def h(x):
    return (x**2 + x).sum()
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
data = {"a": [1, (2.0, None)], 3: "three"}
def fails(v):
    raise ValueError(f"bad value {v}")
def not_done():
    raise NotImplementedError()
def count_params(m):
    return sum(p.numel() for p in m.parameters())
def numeric_grad(f, x, eps=1e-5):
    return (f(x + eps) - f(x - eps)) / (2 * eps)
def gd_step(a, b, lr):
    with torch.no_grad():
        a -= lr * a.grad
        b -= lr * b.grad
    a.grad.zero_()
    b.grad.zero_()
def twice(t):
    return t
def both(a, b):
    return (a * b).sum()
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(1, 1)
    def forward(self, x):
        return self.fc(x)
torch.manual_seed(0)
net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
'''


@pytest.fixture(scope="module")
def session():
    k = sandbox.Kernel(sandboxed=False)
    s = Session(k.sock, timeout=20, on_timeout=k.kill)
    reply = s.run(STUDENT)
    assert reply["status"] == "ok", reply
    yield s
    k.kill()


def run(session, code):
    ns = trusted_namespace()
    from autograd_kit.grading.tests import _BUILTIN_NAMES, referenced
    compiled = compile(code, "<test>", "exec")
    ns.update(session.fetch({n for n in referenced(compiled) if n not in ns and n not in _BUILTIN_NAMES}))
    exec(compiled, ns)
    return ns


def test_the_four_lines_of_the_contract(session):
    run(session, "assert abs(grad_by_hand - 26) < 1e-9")
    run(session, "assert x.is_leaf and abs(grad_autograd.item() - 26.0) < 1e-5")
    run(session, "_x = torch.tensor([3.0, -2.0], requires_grad=True); h(_x).backward(); assert _x.grad.tolist() == [7.0, -3.0]")
    run(session, "out = model(torch.ones(4, 2)); assert out.shape == (4, 1); assert len(list(model.parameters())) == 4")


def test_lying_values_arrive_as_their_true_value_with_exact_types(session):
    ns = run(session, "pass")
    v = session.fetch({"liar", "arr", "lt", "scalar", "data", "y", "x"})
    assert type(v["liar"]) is float and v["liar"] == 3.0 and v["liar"] != 72
    assert type(v["arr"]) is np.ndarray and v["arr"].tolist() == [1.0, 2.0, 3.0]
    assert type(v["lt"]) is torch.Tensor and v["lt"].item() == 1.5 and v["lt"].dtype == torch.float32
    assert type(v["scalar"]) is np.float32 and v["scalar"] == 2.5
    assert v["data"] == {"a": [1, (2.0, None)], 3: "three"} and type(v["data"]["a"][1]) is tuple
    assert not v["y"].is_leaf and v["y"].grad_fn.name() == "AddBackward0" and v["y"].item() == 56.0
    assert v["x"].is_leaf and v["x"].requires_grad and v["x"].grad.item() == 26.0
    assert ns["torch"] is torch


def test_gradients_accumulate_through_remote_graphs(session):
    ns = run(session, "_x = torch.tensor([3.0, -2.0], requires_grad=True)\nh(_x).backward()\nh(_x).backward()\n"
                      "_first = _x.grad.tolist()\n_x.grad.zero_()\n(2 * h(_x) + h(_x * 3)).backward()")
    assert ns["_first"] == [14.0, -6.0]
    # d/dx [2 h(x) + h(3x)] = 2 (2x + 1) + 3 (2 * 3x + 1)
    assert ns["_x"].grad.tolist() == [2 * 7 + 3 * 19, 2 * -3 + 3 * -11]
    ns = run(session, "_x = torch.tensor([2.0], requires_grad=True)\nboth(_x, _x).backward()")
    assert ns["_x"].grad.tolist() == [4.0]  # d(x*x)/dx, not twice it


def test_student_functions_mutate_shared_tensors(session):
    ns = run(session, "a = torch.tensor(1.0, requires_grad=True); b = torch.tensor(0.0, requires_grad=True)\n"
                      "((a * 2 + b - 5) ** 2).backward()\nga, gb = a.grad.item(), b.grad.item()\ngd_step(a, b, 0.1)\n"
                      "same = twice(a)")
    a, b = ns["a"], ns["b"]
    assert a.item() == pytest.approx(1.0 - 0.1 * ns["ga"]) and b.item() == pytest.approx(-0.1 * ns["gb"])
    assert a.grad.item() == 0.0 and a.is_leaf and ns["same"] is a


def test_trusted_modules_and_named_functions_cross_by_value_and_name(session):
    ns = run(session, "n = count_params(nn.Linear(3, 2))\nd = numeric_grad(math.sin, 1.0)\ne = numeric_grad(float, 2.0)\n"
                      "t = numeric_grad(torch.exp, torch.tensor(0.0))")
    assert ns["n"] == 8 and ns["d"] == pytest.approx(math.cos(1.0), abs=1e-8)
    assert ns["e"] == pytest.approx(1.0) and ns["t"].item() == pytest.approx(1.0, abs=1e-2)
    with pytest.raises(TypeError, match="cannot hand a function"):
        run(session, "numeric_grad(lambda v: v, 1.0)")


def test_proxies_and_student_errors(session):
    ns = run(session, "m = model")
    assert isinstance(ns["m"], RemoteObject) and repr(ns["m"]) == "<student's Sequential object>"
    with pytest.raises(ValueError, match="bad value 3") as e:
        run(session, "fails(3)")
    assert isinstance(e.value, RemoteError) and e.value.student_type == "ValueError"
    with pytest.raises(NotImplementedError):
        run(session, "not_done()")
    with pytest.raises(AttributeError):
        run(session, "model.no_such_thing")


def test_kit_classes_pass_isinstance_and_training_through_a_proxy_works(session):
    ns = run(session, """
assert isinstance(net, nn.Module) and isinstance(model, nn.Sequential) and isinstance(opt, optim.SGD)
assert not isinstance(net, nn.Linear) and not isinstance(h, nn.Module)
_X = torch.tensor([[1.0], [2.0], [3.0]]); _Y = 2 * _X + 1
_params = list(net.parameters())
_opt = optim.SGD(_params, lr=0.05)
_before = ((net(_X) - _Y) ** 2).mean().item()
for _ in range(200):
    _opt.zero_grad()
    _loss = ((net(_X) - _Y) ** 2).mean()
    _loss.backward()
    _opt.step()
_after = ((net(_X) - _Y) ** 2).mean().item()
_w = net.fc.weight.item()
""")
    assert ns["_after"] < 1e-3 < ns["_before"]  # trained here, on the student's module, through the boundary
    assert abs(ns["_w"] - 2.0) < 0.05 and ns["_params"][0].grad is not None


def _feedback(session, source):
    failure = run_test(session, source, "q")
    return None if failure is None else feedback_for(failure)


def feedback_for_never_shows_hidden_source(session):
    H = "\n### BEGIN HIDDEN TESTS\n{}\n### END HIDDEN TESTS"
    assert _feedback(session, "assert grad_by_hand == 26" + H.format("assert grad_by_hand > 0")) is None
    assert _feedback(session, "pass" + H.format("assert grad_by_hand == 25, 'recheck f(4)'")) == \
        "a hidden test failed: recheck f(4)"
    assert _feedback(session, "pass" + H.format("secret_name_123")) == "a hidden test failed"
    assert _feedback(session, "pass" + H.format("assert grad_by_hand == 25")) == "a hidden test failed"
    assert _feedback(session, "pass" + H.format("{}['secret_key_456']")) == "a hidden test failed"
    assert _feedback(session, "pass" + H.format("fails(12345)")) == "a hidden test failed: your code raised ValueError"
    assert _feedback(session, "pass" + H.format("not_done()")) == "not answered yet"
    assert session.run("def encodes(v):\n    raise type(f'Got_{int(v)}', (KeyError,), {})()")["status"] == "ok"
    assert _feedback(session, "pass" + H.format("encodes(4242)")) == "a hidden test failed: your code raised KeyError"
    assert _feedback(session, "assert grad_by_hand == 25, 'public hint'" + H.format("pass")) == "public hint"
    assert _feedback(session, "fails(7)") == "your code raised ValueError: bad value 7"
    assert _feedback(session, "undefined_answer") == \
        "name 'undefined_answer' is not defined: run your answer cell (or define it) before the test"


def test_builtins_in_tests_are_always_the_real_ones(session):
    assert session.run("abs = lambda v: 0\nlen = lambda v: 99\nisinstance = lambda *a: True")["status"] == "ok"
    ns = run(session, "r = (abs(-2), len([1]), isinstance(1, str))")
    assert ns["r"] == (2, 1, False)


def test_test_cells_share_nothing_between_runs(session):
    ns1 = run(session, "_x = torch.tensor([1.0], requires_grad=True); h(_x).backward()")
    ns2 = run(session, "pass")
    assert "_x" not in ns2 and ns1["_x"].grad.tolist() == [3.0]
