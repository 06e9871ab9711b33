"""Layers vs PyTorch 2.13: each module built the same way in both, PyTorch's weights loaded into the kit's
(load_state_dict), then outputs, input gradients and parameter gradients compared (rtol 1e-4), with
printing, state_dict keys, grad_fn names, init order and errors."""
import numpy as np
import pytest
import torch

import autograd_kit as ak
import autograd_kit.nn as nn
import autograd_kit.nn.functional as F

RTOL, ATOL = 1e-4, 1e-5


def kit_state(torch_module):
    return {k: ak.tensor(v.detach().numpy().copy()) for k, v in torch_module.state_dict().items()}


def build(expr, dtype=None):
    """The same constructor in both libraries, torch's weights loaded into the kit's module."""
    t = eval(expr, vars(torch.nn))
    k = eval(expr, vars(nn))
    if dtype == "double":
        t, k = t.double(), k.double()
    k.load_state_dict(kit_state(t))
    return k, t


def flat(out):
    if isinstance(out, tuple):
        return [o for x in out for o in flat(x)]
    return [out]


def run_both(kit_mod, torch_mod, x, seed=0, **kw):
    """Forward both on x (float input requires grad), backward a fixed random weighting of every output."""
    floating = np.asarray(x).dtype.kind == "f"
    xk = ak.tensor(x.copy(), requires_grad=floating)
    xt = torch.tensor(x.copy(), requires_grad=floating)
    ok, ot = flat(kit_mod(xk, **kw.get("kit", {}))), flat(torch_mod(xt, **kw.get("torch", {})))
    assert len(ok) == len(ot)
    rng = np.random.default_rng(seed)
    seeds = [rng.standard_normal(tuple(o.shape)).astype(np.float32 if o.dtype == torch.float32 else np.float64)
             for o in ot]
    sum((o * ak.tensor(s)).sum() for o, s in zip(ok, seeds)).backward()
    sum((o * torch.tensor(s)).sum() for o, s in zip(ot, seeds)).backward()
    return xk, xt, ok, ot


def assert_close(a, b, what, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol, err_msg=what)


def compare(kit_mod, torch_mod, x, rtol=RTOL, atol=ATOL, **kw):
    xk, xt, ok, ot = run_both(kit_mod, torch_mod, x, **kw)
    for i, (a, b) in enumerate(zip(ok, ot)):
        assert tuple(a.shape) == tuple(b.shape)
        assert_close(a, b, f"output {i}", rtol, atol)
    if xt.grad is not None:
        assert_close(xk.grad, xt.grad, "input grad", rtol, atol)
    tp = dict(torch_mod.named_parameters())
    kp = dict(kit_mod.named_parameters())
    assert list(kp) == list(tp)
    for name, p in tp.items():
        if p.grad is None:
            assert kp[name].grad is None, name
        else:
            assert_close(kp[name].grad, p.grad, f"{name}.grad", rtol, atol)
    return ok, ot


def data(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


CONV = [
    ("Conv2d(3, 4, 3)", (2, 3, 8, 7)),
    ("Conv2d(3, 6, 3, stride=2, padding=1)", (2, 3, 9, 8)),
    ("Conv2d(3, 4, 3, dilation=2, padding=2)", (2, 3, 9, 9)),
    ("Conv2d(4, 6, 3, groups=2)", (2, 4, 7, 6)),
    ("Conv2d(4, 8, 3, groups=4, bias=False)", (2, 4, 6, 6)),
    ("Conv2d(3, 4, (4, 3), padding='same')", (2, 3, 7, 8)),
    ("Conv2d(3, 4, 3, padding='valid')", (2, 3, 5, 5)),
    ("Conv2d(2, 3, (3, 5), stride=(2, 1), padding=(1, 2), dilation=(1, 2))", (2, 2, 9, 11)),
    ("Conv2d(2, 3, 3, padding=1, padding_mode='reflect')", (2, 2, 5, 6)),
    ("Conv2d(2, 3, 3, padding=2, padding_mode='circular')", (2, 2, 5, 6)),
    ("Conv2d(2, 3, 3, padding=(1, 2), padding_mode='replicate')", (2, 2, 5, 6)),
    ("Conv2d(2, 3, 3)", (2, 6, 5)),  # unbatched
    ("Conv1d(3, 5, 3)", (2, 3, 10)),
    ("Conv1d(4, 6, 5, stride=2, padding=2, groups=2)", (2, 4, 13)),
    ("Conv1d(3, 2, 4, padding='same', dilation=2)", (3, 3, 12)),
    ("Conv1d(2, 2, 3, padding=1, padding_mode='reflect')", (2, 2, 7)),
]
POOL = [
    ("MaxPool2d(2)", (2, 3, 8, 8)),
    ("MaxPool2d(3, 2, 1)", (2, 3, 9, 8)),
    ("MaxPool2d(3, stride=2, ceil_mode=True)", (2, 2, 8, 9)),
    ("MaxPool2d((2, 3), dilation=2, padding=1)", (2, 2, 9, 10)),
    ("MaxPool2d(2)", (3, 7, 6)),  # unbatched, odd size
    ("AvgPool2d(2)", (2, 3, 8, 8)),
    ("AvgPool2d(3, 2, 1)", (2, 3, 9, 8)),
    ("AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)", (2, 2, 10, 8)),
    ("AvgPool2d(3, 2, 1, ceil_mode=True)", (2, 2, 10, 8)),
    ("AvgPool2d(2, divisor_override=3)", (2, 2, 6, 6)),
    ("AdaptiveAvgPool2d((3, 5))", (2, 3, 10, 7)),
    ("AdaptiveAvgPool2d(2)", (2, 3, 8, 8)),
    ("AdaptiveAvgPool2d(1)", (2, 3, 5, 6)),
    ("AdaptiveAvgPool2d((None, 2))", (2, 3, 5, 7)),
    ("MaxPool1d(3, 2, 1)", (2, 3, 9)),
    ("MaxPool1d(2, dilation=2, ceil_mode=True)", (3, 10)),
    ("AvgPool1d(3, 2, 1)", (2, 3, 9)),
    ("AvgPool1d(2, ceil_mode=True, count_include_pad=False)", (2, 3, 7)),
    ("AdaptiveAvgPool1d(4)", (2, 3, 9)),
    ("AdaptiveAvgPool1d(1)", (3, 5)),
]
NORM = [
    ("LayerNorm(5)", (4, 3, 5)),
    ("LayerNorm([4, 5])", (3, 4, 5)),
    ("LayerNorm(6, elementwise_affine=False)", (4, 6)),
    ("LayerNorm(6, bias=False, eps=1e-3)", (4, 6)),
    ("BatchNorm2d(3)", (4, 3, 5, 5)),
    ("BatchNorm1d(4)", (8, 4)),
    ("BatchNorm1d(4, affine=False)", (5, 4, 6)),
    ("BatchNorm2d(3, momentum=None, bias=False)", (4, 3, 3, 3)),
    ("BatchNorm2d(3, track_running_stats=False)", (4, 3, 3, 3)),
]
RNNS = [
    ("RNN(3, 5)", (6, 2, 3)),
    ("RNN(3, 4, 2, nonlinearity='relu', batch_first=True, bidirectional=True)", (2, 5, 3)),
    ("RNN(3, 4, bias=False)", (5, 3)),  # unbatched
    ("LSTM(3, 5)", (6, 2, 3)),
    ("LSTM(3, 5, num_layers=2)", (6, 2, 3)),
    ("LSTM(3, 5, num_layers=2, bidirectional=True)", (6, 2, 3)),
    ("LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True)", (2, 6, 3)),
    ("LSTM(3, 5, proj_size=2, num_layers=2)", (4, 2, 3)),
    ("LSTM(4, 3)", (5, 4)),  # unbatched
    ("GRU(3, 5)", (6, 2, 3)),
    ("GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True)", (2, 5, 3)),
    ("GRU(3, 4, bias=False)", (5, 2, 3)),
    ("RNNCell(3, 4)", (5, 3)),
    ("RNNCell(3, 4, nonlinearity='relu', bias=False)", (3,)),
    ("LSTMCell(3, 4)", (5, 3)),
    ("GRUCell(3, 4)", (5, 3)),
]


@pytest.mark.parametrize("expr,shape", CONV + POOL + NORM + RNNS, ids=lambda v: str(v))
def test_layer_matches_torch(expr, shape):
    k, t = build(expr)
    compare(k, t, data(*shape))
    assert repr(k) == repr(t)
    assert list(k.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize("expr,shape", CONV + POOL + NORM, ids=lambda v: str(v))
def test_grad_fn_names_match_torch(expr, shape):
    k, t = build(expr)
    ok = k(ak.tensor(data(*shape), requires_grad=True))
    ot = t(torch.tensor(data(*shape), requires_grad=True))
    assert type(ok.grad_fn).__name__ == type(ot.grad_fn).__name__


@pytest.mark.parametrize("expr,cell", [("RNN(3, 4)", "RNNCell(3, 4)"), ("GRU(3, 4)", "GRUCell(3, 4)"),
                                       ("LSTM(3, 4)", "LSTMCell(3, 4)")])
def test_recurrent_graphs_show_the_gates(expr, cell):
    """The kit's recurrent layers are tensor ops: the outputs' nodes are PyTorch's where PyTorch composes too
    (stack of steps for RNN/GRU, the cells' last op); inside, one sigmoid/tanh node per gate and step."""
    k, t = build(expr)
    out, h = k(ak.tensor(data(3, 2, 3), requires_grad=True))
    tout, th = t(torch.tensor(data(3, 2, 3), requires_grad=True))
    assert type(out.grad_fn).__name__ == "StackBackward0"
    if expr.startswith(("RNN", "GRU")):
        assert type(tout.grad_fn).__name__ == "StackBackward0"
    names = [n.name() for n in ak.autograd.graph.topological_nodes(out.sum())]
    gates = {"RNN(3, 4)": {"TanhBackward0": 3}, "GRU(3, 4)": {"SigmoidBackward0": 6, "TanhBackward0": 3},
             "LSTM(3, 4)": {"SigmoidBackward0": 9, "TanhBackward0": 6}}[expr]
    for name, count in gates.items():
        assert names.count(name) == count, (name, names)
    kc, tc = build(cell)
    x = data(2, 3)
    ko, to = kc(ak.tensor(x, requires_grad=True)), tc(torch.tensor(x, requires_grad=True))
    ko, to = (ko[0], to[0]) if isinstance(to, tuple) else (ko, to)
    assert type(ko.grad_fn).__name__ == type(to.grad_fn).__name__


def test_lstm_and_gru_with_initial_state():
    k, t = build("LSTM(3, 4, num_layers=2, bidirectional=True)")
    h0, c0 = data(4, 2, 4, seed=1), data(4, 2, 4, seed=2)
    compare(k, t, data(5, 2, 3), kit={"hx": (ak.tensor(h0), ak.tensor(c0))},
            torch={"hx": (torch.tensor(h0), torch.tensor(c0))})
    k, t = build("GRU(3, 4, num_layers=2)")
    h0 = data(2, 2, 4, seed=3)
    compare(k, t, data(5, 2, 3), kit={"hx": ak.tensor(h0)}, torch={"hx": torch.tensor(h0)})
    k, t = build("LSTMCell(3, 4)")
    compare(k, t, data(2, 3), kit={"hx": (ak.tensor(h0[0]), ak.tensor(h0[1]))},
            torch={"hx": (torch.tensor(h0[0]), torch.tensor(h0[1]))})


def test_batchnorm_running_stats_after_steps_and_eval():
    for expr, shape in [("BatchNorm2d(3)", (4, 3, 5, 5)), ("BatchNorm1d(4, momentum=None)", (6, 4)),
                        ("BatchNorm1d(4, momentum=0.3)", (6, 4, 3))]:
        k, t = build(expr)
        for step in range(3):
            compare(k, t, data(*shape, seed=step) * (step + 1) + step)
            k.zero_grad()
            t.zero_grad()
        for name in ("running_mean", "running_var"):
            assert_close(getattr(k, name), getattr(t, name), name)
        assert int(k.num_batches_tracked) == int(t.num_batches_tracked) == 3
        k.eval()
        t.eval()
        ok, ot = compare(k, t, data(*shape, seed=9))
        assert type(ok[0].grad_fn).__name__ == type(ot[0].grad_fn).__name__ == "NativeBatchNormBackward0"
        assert_close(k.running_mean, t.running_mean, "eval leaves running_mean alone")


def test_embedding_matches_torch():
    idx = np.array([[1, 2, 0, 2], [4, 2, 2, 3]])
    for expr in ["Embedding(6, 3)", "Embedding(6, 3, padding_idx=2)", "Embedding(6, 3, padding_idx=-1)",
                 "Embedding(6, 3, scale_grad_by_freq=True)", "Embedding(6, 3, max_norm=1.0)"]:
        k, t = build(expr)
        _, _, ok, ot = run_both(k, t, idx)
        assert_close(ok[0], ot[0], expr)
        assert_close(k.weight.grad, t.weight.grad, expr)
        assert_close(k.weight, t.weight, expr + " (max_norm renormalizes in place)")
        assert type(ok[0].grad_fn).__name__ == type(ot[0].grad_fn).__name__ == "EmbeddingBackward0"
        assert repr(k) == repr(t)
    pretrained = data(4, 2)
    k = nn.Embedding.from_pretrained(ak.tensor(pretrained))
    t = torch.nn.Embedding.from_pretrained(torch.tensor(pretrained))
    assert repr(k) == repr(t) and k.weight.requires_grad is t.weight.requires_grad is False
    assert_close(k(ak.tensor([3, 0])), t(torch.tensor([3, 0])), "from_pretrained")


def _lenet(mod):
    nn_ = mod.nn
    return nn_.Sequential(
        nn_.Conv2d(1, 6, 5, padding=2), nn_.ReLU(), nn_.MaxPool2d(2),
        nn_.Conv2d(6, 16, 5), nn_.ReLU(), nn_.MaxPool2d(2), nn_.Flatten(),
        nn_.Linear(16 * 5 * 5, 120), nn_.ReLU(), nn_.Linear(120, 84), nn_.ReLU(), nn_.Linear(84, 10))


def test_lenet_training_steps_match_torch():
    t = _lenet(torch)
    k = _lenet(ak)
    k.load_state_dict(kit_state(t))
    assert repr(k) == repr(t)
    x, y = data(8, 1, 28, 28), np.random.default_rng(1).integers(0, 10, 8)
    ok = ak.optim.SGD(k.parameters(), lr=0.05, momentum=0.9)
    ot = torch.optim.SGD(t.parameters(), lr=0.05, momentum=0.9)
    for step in range(3):
        ok.zero_grad()
        ot.zero_grad()
        lk = nn.CrossEntropyLoss()(k(ak.tensor(x)), ak.tensor(y))
        lt = torch.nn.CrossEntropyLoss()(t(torch.tensor(x)), torch.tensor(y))
        lk.backward()
        lt.backward()
        np.testing.assert_allclose(lk.item(), lt.item(), rtol=RTOL)
        for (name, pk), pt in zip(k.named_parameters(), t.parameters()):
            assert_close(pk.grad, pt.grad, f"step {step}: {name}.grad")
        ok.step()
        ot.step()
    for (name, pk), pt in zip(k.named_parameters(), t.parameters()):
        assert_close(pk, pt, name)


def test_conv_double_backward_matches_torch():
    x, w = data(2, 3, 6, 6), data(4, 3, 3, 3, seed=1)
    res = []
    for mod, F_ in ((ak, F), (torch, torch.nn.functional)):
        xt, wt = mod.tensor(x, requires_grad=True), mod.tensor(w, requires_grad=True)
        out = F_.conv2d(xt, wt, stride=2, padding=1)
        gx, gw = mod.autograd.grad((out * out).sum(), (xt, wt), create_graph=True)
        (gx.pow(2).sum() + gw.sum()).backward()
        res.append((gx, gw, xt.grad, wt.grad))
    for a, b, what in zip(res[0], res[1], ("grad x", "grad w", "x.grad", "w.grad")):
        assert_close(a, b, what, rtol=1e-4, atol=1e-4)


FUNCTIONAL = [
    ("F.pad(x, (1, 2))", (2, 3, 4)),
    ("F.pad(x, (1, 2, 0, 1), value=2.5)", (2, 3, 4)),
    ("F.pad(x, (-1, 2, 1, -1))", (2, 3, 4)),
    ("F.pad(x, (2, 1), mode='reflect')", (2, 3, 4)),
    ("F.pad(x, (2, 1, 1, 2), mode='reflect')", (2, 3, 4, 5)),
    ("F.pad(x, (1, 1, 2, 0), mode='replicate')", (3, 4, 5)),
    ("F.pad(x, (3, 1), mode='replicate')", (2, 4)),
    ("F.pad(x, (1, 2, 2, 1), mode='circular')", (2, 3, 4, 5)),
    ("F.unfold(x, 3, padding=1, stride=2)", (2, 3, 6, 5)),
    ("F.unfold(x, (2, 3), dilation=(2, 1))", (2, 2, 6, 5)),
    ("F.fold(x, (5, 6), 3, padding=1, stride=2)", (2, 18, 9)),
    ("F.max_pool2d(x, 2, return_indices=True)", (2, 3, 6, 6)),
    ("F.max_pool1d(x, 3, 2, 1, return_indices=True)", (2, 3, 8)),
    ("F.max_pool2d(x, 3, 1, 1, return_indices=True)", (2, 3, 5, 5)),
    ("F.avg_pool2d(x, (2, 3), (1, 2))", (2, 3, 6, 7)),
    ("F.adaptive_avg_pool2d(x, (4, 3))", (3, 9, 7)),
    ("F.layer_norm(x, (3,))", (2, 4, 3)),
    ("F.batch_norm(x, None, None, training=True)", (5, 3)),
    ("F.batch_norm(x, mod.zeros(3) + 0.5, mod.ones(3) * 2)", (5, 3, 2)),
    ("F.conv1d(x, mod.ones(2, 3, 2))", (3, 3, 5)),
]


@pytest.mark.parametrize("expr,shape", FUNCTIONAL, ids=lambda v: str(v))
def test_functional_matches_torch(expr, shape):
    x = data(*shape)
    outs = []
    for mod, F_ in ((ak, F), (torch, torch.nn.functional)):
        xt = mod.tensor(x, requires_grad=True)
        out = flat(eval(expr, {"F": F_, "mod": mod, "x": xt}))
        seed = np.random.default_rng(0).standard_normal(tuple(out[0].shape)).astype(np.float32)
        (out[0] * mod.tensor(seed)).sum().backward()
        outs.append((out, xt.grad))
    (ko, kg), (to, tg) = outs
    for a, b in zip(ko, to):
        assert a.dtype.is_floating_point == b.dtype.is_floating_point
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=RTOL, atol=ATOL)
    assert_close(kg, tg, "input grad")
    assert type(ko[0].grad_fn).__name__ == type(to[0].grad_fn).__name__


def test_flatten_unflatten_match_torch():
    x = data(2, 12, 3)
    for expr in ["Unflatten(1, (3, 4))", "Unflatten(-2, (2, -1))", "Flatten(0, 1)"]:
        k, t = build(expr)
        compare(k, t, x)
        assert repr(k) == repr(t)


def test_default_init_calls_pytorchs_initializers_in_its_order(monkeypatch):
    """With the same random stream as PyTorch, the same calls give the same weights: each layer's
    reset_parameters must call the nn.init functions PyTorch calls, with the same arguments, in its order."""
    def record(module, log):
        depth = [0]
        for name in ("kaiming_uniform_", "uniform_", "normal_", "ones_", "zeros_"):
            orig = getattr(module, name)

            def wrapper(tensor, *args, _orig=orig, _name=name, **kw):
                if depth[0] == 0:
                    log.append((_name, tuple(tensor.shape), tuple(round(float(a), 6) for a in args),
                                {k: round(float(v), 6) for k, v in kw.items() if v is not None}))
                depth[0] += 1
                try:
                    return _orig(tensor, *args, **kw)
                finally:
                    depth[0] -= 1
            monkeypatch.setattr(module, name, wrapper)
    kit_log, torch_log = [], []
    record(nn.init, kit_log)
    record(torch.nn.init, torch_log)
    for expr in ["Conv2d(3, 6, 5)", "Conv1d(4, 2, 3, groups=2, bias=False)", "BatchNorm2d(4)", "LayerNorm(3)",
                 "Embedding(5, 2, padding_idx=1)", "LSTM(3, 4, 2, bidirectional=True)", "GRUCell(2, 3)"]:
        kit_log.clear()
        torch_log.clear()
        eval(expr, vars(nn))
        eval(expr, vars(torch.nn))
        assert kit_log == torch_log, expr
        assert kit_log


ERRORS = [
    "F.conv2d(mod.zeros(2, 3, 8, 8), mod.zeros(6, 1, 5, 5))",
    "F.conv2d(mod.zeros(2, 3, 3, 3), mod.zeros(6, 3, 5, 5))",
    "F.conv2d(mod.zeros(2, 3, 8, 8, dtype=mod.float64), mod.zeros(6, 3, 5, 5))",
    "F.conv2d(mod.zeros(2, 3, 8, 8), mod.zeros(6, 3, 5, 5), mod.zeros(5))",
    "F.conv2d(mod.zeros(2, 3, 8, 8), mod.zeros(6, 3, 5, 5), stride=2, padding='same')",
    "F.conv2d(mod.zeros(2, 4, 8, 8), mod.zeros(6, 2, 5, 5), groups=4)",
    "nn.Conv2d(4, 6, 3, groups=4)",
    "nn.Conv2d(4, 6, 3, padding='foo')",
    "nn.Conv2d(4, 6, 3, stride=2, padding='same')",
    "F.max_pool2d(mod.zeros(1, 1, 4, 4), 3, padding=2)",
    "F.max_pool2d(mod.zeros(1, 1, 2, 2), 3)",
    "F.batch_norm(mod.zeros(4, 3), mod.zeros(2), mod.ones(2))",
    "F.batch_norm(mod.zeros(1, 3), None, None, training=True)",
    "F.layer_norm(mod.zeros(4, 3), (4,))",
    "F.embedding(mod.tensor([10]), mod.zeros(10, 3))",
    "F.embedding(mod.tensor([1.0]), mod.zeros(10, 3))",
    "nn.Embedding(10, 3, padding_idx=10)",
    "nn.LSTM(3, 4)(mod.zeros(5, 2, 4))",
    "nn.LSTM(3, 4)(mod.zeros(5, 2, 3), (mod.zeros(1, 2, 5), mod.zeros(1, 2, 4)))",
    "nn.GRU(3, 4)(mod.zeros(5, 2, 3), mod.zeros(2, 2, 4))",
    "nn.RNN(3, 4)(mod.zeros(5, 2, 3, 1))",
    "nn.RNN(3, 4, nonlinearity='foo')",
    "nn.GRU(3, 4, proj_size=2)",
    "nn.RNNCell(3, 4)(mod.zeros(2, 5))",
    "F.pad(mod.zeros(1, 2, 3), (1, 1), mode='reflect', value=1.0)",
    "F.pad(mod.zeros(1, 2, 3), (3, 3), mode='reflect')",
    "F.pad(mod.zeros(1, 2, 3), (1,))",
    "F.pad(mod.zeros(2, 3), (1, 1, 1, 1), mode='reflect')",
    "nn.BatchNorm2d(3)(mod.zeros(2, 3, 4))",
    "nn.BatchNorm1d(3)(mod.zeros(2, 4))",
    "F.adaptive_avg_pool2d(mod.zeros(2, 3), (2, 2))",
    "F.max_pool1d(mod.zeros(2, 3, 4, 5), 2)",
    "F.avg_pool1d(mod.zeros(2, 3, 4, 5), 2)",
    "F.adaptive_avg_pool1d(mod.zeros(2, 3, 4, 5), 2)",
    "F.max_pool1d(mod.zeros(2, 3, 1), 2)",
    "nn.Unflatten(1, (2, 3))(mod.zeros(2, 5))",
    "nn.Unflatten(1, 6)",
]


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_match_torch(expr):
    caught = []
    for mod, nn_, F_ in ((ak, nn, F), (torch, torch.nn, torch.nn.functional)):
        with pytest.raises(Exception) as info:
            eval(expr, {"mod": mod, "nn": nn_, "F": F_})
        caught.append(info.value)
    kit, ref = caught
    assert type(kit) is type(ref)
    assert str(kit).split("\nHint:")[0] == str(ref)


@pytest.mark.parametrize("expr,shape", [("Conv2d(4, 6, 3, stride=2, padding=1, groups=2)", (2, 4, 7, 6)),
                                        ("Conv1d(3, 5, 3, dilation=2)", (2, 3, 9)),
                                        ("MaxPool2d(3, 2, 1)", (2, 3, 7, 7)), ("AvgPool2d(3, 2, 1)", (2, 3, 7, 7)),
                                        ("AdaptiveAvgPool2d((2, 3))", (2, 3, 7, 7)), ("BatchNorm2d(3)", (4, 3, 3, 3)),
                                        ("LayerNorm(4)", (3, 4)), ("LSTM(3, 4, 2, bidirectional=True)", (5, 2, 3)),
                                        ("GRU(3, 4)", (5, 2, 3))], ids=lambda v: str(v))
def test_float64_layers_match_torch_closely(expr, shape):
    k, t = build(expr, dtype="double")
    ok, ot = compare(k, t, data(*shape, dtype=np.float64), rtol=1e-10, atol=1e-12)
    assert all(o.dtype == ak.float64 for o in ok)
