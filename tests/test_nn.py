"""autograd_kit.nn vs PyTorch 2.13: reprs, Module bookkeeping, init, dropout, losses, stability."""
import math
import warnings

import numpy as np
import pytest
import torch

import autograd_kit as ak
import autograd_kit.nn as nn
import autograd_kit.nn.functional as F
import autograd_kit.nn.init as init


def np_of(t):
    return t.detach().numpy()


def close(kit_tensor, torch_tensor, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np_of(kit_tensor), torch_tensor.detach().numpy(), rtol=rtol,
                               atol=atol)


def pair(array, requires_grad=True, dtype=np.float32):
    """The same values as an autograd_kit leaf and a torch leaf."""
    array = np.asarray(array, dtype=dtype)
    return (ak.tensor(array.copy(), requires_grad=requires_grad),
            torch.tensor(array.copy(), requires_grad=requires_grad))


def copy_into_torch(kit_module, torch_module):
    with torch.no_grad():
        for (kn, kp), (tn, tp) in zip(kit_module.named_parameters(),
                                      torch_module.named_parameters()):
            assert kn == tn
            tp.copy_(torch.from_numpy(np_of(kp).copy()))


# ----- reprs -------------------------------------------------------------------------------------
REPRS = [
    "Linear(2, 3)", "Linear(4, 1, bias=False)", "ReLU()", "ReLU(inplace=True)", "Sigmoid()",
    "Tanh()", "Softmax(dim=1)", "Softmax()", "LogSoftmax(dim=-1)", "Flatten()",
    "Flatten(0, 2)", "Identity()", "Dropout()", "Dropout(p=0.2, inplace=True)", "MSELoss()",
    "L1Loss(reduction='sum')", "BCELoss()", "BCEWithLogitsLoss()", "CrossEntropyLoss()",
    "CrossEntropyLoss(label_smoothing=0.1)", "NLLLoss()",
    "Sequential(Linear(2, 3), ReLU(), Linear(3, 1))",
    "Sequential(Flatten(), Sequential(Linear(4, 4), Tanh()), Dropout(0.1), LogSoftmax(dim=1))",
    "ModuleList([Linear(2, 2), Linear(2, 2), Linear(2, 2), ReLU()])",
    "Sequential()",
]


@pytest.mark.parametrize("expr", REPRS)
def test_module_repr_matches_torch(expr):
    kit = eval(expr, vars(nn))
    ref = eval(expr, vars(torch.nn))
    assert repr(kit) == repr(ref)


def test_sequential_repr_exact_text():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    assert repr(model) == ("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n"
                           "  (1): ReLU()\n)")


def _net_class(mod):
    class Net(mod.Module):
        def __init__(self):
            super().__init__()
            self.body = mod.Sequential(mod.Linear(2, 2), mod.ReLU())
            self.head = mod.Linear(2, 1)

        def forward(self, x):
            return self.head(self.body(x))

        def extra_repr(self):
            return "note=1"

    return Net


def test_custom_module_repr_with_extra_repr_matches_torch():
    kit, ref = _net_class(nn)(), _net_class(torch.nn)()
    assert repr(kit) == repr(ref)
    assert repr(kit).startswith("Net(\n  note=1\n  (body): Sequential(\n    (0): Linear(")


def test_parameter_repr_matches_torch():
    kit = nn.Parameter(ak.tensor([1.0, 2.0]))
    ref = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(kit) == repr(ref) and str(kit) == str(ref)
    assert repr(kit).startswith("Parameter containing:\ntensor([1., 2.], requires_grad=True)")
    layer, ref_layer = nn.Linear(2, 1), torch.nn.Linear(2, 1)
    with torch.no_grad():
        ref_layer.bias.fill_(layer.bias.item())
    assert str(layer.bias) == str(ref_layer.bias)


# ----- Parameter ---------------------------------------------------------------------------------
def test_parameter_is_leaf_requiring_grad_and_shares_data():
    data = ak.tensor([1.0, 2.0])
    p = nn.Parameter(data)
    assert isinstance(p, ak.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    with ak.no_grad():
        data.add_(1.0)
    assert p.tolist() == [2.0, 3.0]
    frozen = nn.Parameter(ak.ones(2), requires_grad=False)
    assert not frozen.requires_grad


def test_parameter_gets_grad_through_backward():
    p = nn.Parameter(ak.tensor([1.0, 2.0, 3.0]))
    (p * p).sum().backward()
    assert p.grad.tolist() == [2.0, 4.0, 6.0]


# ----- Module bookkeeping -----------------------------------------------------------------------
class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(4, 2)
        self.register_buffer("running", ak.zeros(2))
        self.register_buffer("scratch", ak.ones(1), persistent=False)
        self.scale = 2.0

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


class TorchTwoLayer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(3, 4)
        self.act = torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(4, 2)
        self.register_buffer("running", torch.zeros(2))
        self.register_buffer("scratch", torch.ones(1), persistent=False)


TorchTwoLayer.__name__ = TorchTwoLayer.__qualname__ = "TwoLayer"  # errors name the class


def test_named_parameters_children_modules_match_torch():
    kit, ref = TwoLayer(), TorchTwoLayer()
    assert [n for n, _ in kit.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [tuple(p.shape) for p in kit.parameters()] == [tuple(p.shape) for p in ref.parameters()]
    assert [n for n, _ in kit.named_children()] == [n for n, _ in ref.named_children()]
    assert [n for n, _ in kit.named_modules()] == [n for n, _ in ref.named_modules()]
    assert [n for n, _ in kit.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert len(list(kit.modules())) == 4 and len(list(kit.children())) == 3
    assert [n for n, _ in kit.named_parameters(recurse=False)] == []


def test_state_dict_keys_and_shapes_match_torch():
    kit, ref = TwoLayer(), TorchTwoLayer()
    kit_sd, ref_sd = kit.state_dict(), ref.state_dict()
    assert list(kit_sd) == list(ref_sd) == ["running", "fc1.weight", "fc1.bias", "fc2.weight",
                                            "fc2.bias"]
    assert [tuple(v.shape) for v in kit_sd.values()] == [tuple(v.shape) for v in ref_sd.values()]
    assert all(not v.requires_grad for v in kit_sd.values())
    assert kit.state_dict(keep_vars=True)["fc1.weight"] is kit.fc1.weight


def test_load_state_dict_round_trip_copies_values():
    src, dst = TwoLayer(), TwoLayer()
    result = dst.load_state_dict(src.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    for (_, a), (_, b) in zip(src.named_parameters(), dst.named_parameters()):
        np.testing.assert_array_equal(np_of(a), np_of(b))
        assert a is not b
    assert dst.fc1.weight.is_leaf and dst.fc1.weight.requires_grad


def _error_text(fn):
    with pytest.raises(RuntimeError) as info:
        fn()
    return str(info.value)


def test_load_state_dict_errors_match_torch():
    kit, ref = TwoLayer(), TorchTwoLayer()
    kit_sd = dict(kit.state_dict())
    ref_sd = dict(ref.state_dict())
    for sd in (kit_sd, ref_sd):
        del sd["fc2.bias"]
        sd["extra.weight"] = sd["running"]
    assert _error_text(lambda: kit.load_state_dict(kit_sd)) == \
        _error_text(lambda: ref.load_state_dict(ref_sd))
    kit_sd = dict(kit.state_dict(), **{"fc1.weight": ak.zeros(5, 3)})
    ref_sd = dict(ref.state_dict(), **{"fc1.weight": torch.zeros(5, 3)})
    text = _error_text(lambda: kit.load_state_dict(kit_sd))
    assert text == _error_text(lambda: ref.load_state_dict(ref_sd))
    assert "size mismatch for fc1.weight" in text


def test_load_state_dict_non_strict_reports_keys():
    kit = TwoLayer()
    sd = dict(kit.state_dict())
    del sd["fc2.bias"]
    sd["bogus"] = ak.zeros(1)
    result = kit.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["fc2.bias"] and result.unexpected_keys == ["bogus"]


def test_setattr_registration_and_errors_match_torch():
    kit, ref = TwoLayer(), TorchTwoLayer()
    kit.extra = nn.Parameter(ak.ones(2))
    assert "extra" in dict(kit.named_parameters())
    kit.fc1 = nn.Linear(3, 5)
    assert tuple(kit.fc1.weight.shape) == (5, 3)
    for obj, tensor in ((kit, ak.ones(4, 3)), (ref, torch.ones(4, 3))):
        with pytest.raises(TypeError) as info:
            obj.fc1.weight = tensor
        if obj is kit:
            kit_msg = str(info.value)
    assert kit_msg == str(info.value)
    assert "cannot assign 'torch.FloatTensor' as parameter 'weight'" in kit_msg
    kit.fc1.bias = None
    assert [n for n, _ in kit.fc1.named_parameters()] == ["weight"]
    with pytest.raises(AttributeError, match="'TwoLayer' object has no attribute 'nope'"):
        kit.nope
    del kit.extra
    assert "extra" not in dict(kit.named_parameters())


def test_assign_before_init_raises_like_torch():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ak.ones(1))

    with pytest.raises(AttributeError, match=r"cannot assign parameters before Module.__init__"):
        Bad()


def test_missing_forward_message_matches_torch():
    with pytest.raises(NotImplementedError) as kit_info:
        nn.Module()(ak.ones(1))
    with pytest.raises(NotImplementedError) as ref_info:
        torch.nn.Module()(torch.ones(1))
    assert str(kit_info.value) == str(ref_info.value)


def test_train_eval_propagates():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.ReLU()))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_set_to_none_and_zero():
    model = nn.Linear(2, 1)
    model(ak.ones(3, 2)).sum().backward()
    assert model.weight.grad is not None
    model.zero_grad(set_to_none=False)
    assert model.weight.grad.tolist() == [[0.0, 0.0]]
    model.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None


def test_requires_grad_apply_and_to_double():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "Linear", "Sequential"]
    weight = model[0].weight
    model.double()
    assert model[0].weight is weight and weight.dtype == ak.float64
    assert model(ak.ones(1, 2, dtype=ak.float64)).dtype == ak.float64
    model.to(ak.float32)
    assert weight.dtype == ak.float32
    model.float()
    assert all(p.dtype == ak.float32 for p in model.parameters())


def test_forward_hooks_run_and_remove():
    model = nn.Linear(2, 2)
    calls = []
    handle = model.register_forward_hook(lambda m, inp, out: calls.append(tuple(out.shape)))
    model(ak.ones(5, 2))
    handle.remove()
    model(ak.ones(5, 2))
    assert calls == [(5, 2)]


# ----- Sequential --------------------------------------------------------------------------------
def test_sequential_indexing_len_iteration_append():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    model = nn.Sequential(a, b)
    assert len(model) == 2 and model[0] is a and model[-1] is b and list(model) == [a, b]
    assert model.append(c) is model and model[2] is c and len(model) == 3
    sliced = model[1:]
    assert isinstance(sliced, nn.Sequential) and list(sliced) == [b, c]
    assert [n for n, _ in sliced.named_children()] == ["1", "2"]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        model[3]
    del model[0]
    assert list(model) == [b, c] and [n for n, _ in model.named_children()] == ["0", "1"]
    out = model(ak.ones(4, 3))
    assert tuple(out.shape) == (4, 1)


def test_sequential_forward_matches_torch():
    kit = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2), nn.Softmax(dim=1))
    ref = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2),
                              torch.nn.Softmax(dim=1))
    copy_into_torch(kit, ref)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    kx, tx = pair(x)
    ko, to = kit(kx), ref(tx)
    close(ko, to)
    (ko[:, 0] * 3).sum().backward()
    (to[:, 0] * 3).sum().backward()
    close(kx.grad, tx.grad)
    for kp, tp in zip(kit.parameters(), ref.parameters()):
        close(kp.grad, tp.grad)


# ----- Linear and init ---------------------------------------------------------------------------
def test_linear_shapes_grad_fn_and_values():
    layer = nn.Linear(3, 2)
    assert tuple(layer.weight.shape) == (2, 3) and tuple(layer.bias.shape) == (2,)
    x = ak.ones(4, 3, requires_grad=True)
    out = layer(x)
    assert out.grad_fn.name() == "AddmmBackward0"
    expected = np.ones((4, 3), np.float32) @ np_of(layer.weight).T + np_of(layer.bias)
    np.testing.assert_allclose(np_of(out), expected, rtol=1e-6)
    assert tuple(layer(ak.ones(3)).shape) == (2,)
    assert tuple(layer(ak.ones(5, 4, 3)).shape) == (5, 4, 2)
    no_bias = nn.Linear(3, 2, bias=False)
    assert no_bias.bias is None and [n for n, _ in no_bias.named_parameters()] == ["weight"]


def test_linear_default_init_bounds_and_spread():
    ak.manual_seed(0)
    layer = nn.Linear(64, 256)
    bound = 1 / math.sqrt(64)
    w, b = np_of(layer.weight), np_of(layer.bias)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-bound, bound) has std bound/sqrt(3); 16384 samples pin it to within a few percent
    assert abs(w.std() - bound / math.sqrt(3)) < 0.03 * bound
    assert abs(w.mean()) < 0.02 * bound
    assert np.abs(w).max() > 0.95 * bound
    assert layer.weight.is_leaf and layer.weight.grad_fn is None


def test_manual_seed_makes_init_reproducible():
    ak.manual_seed(123)
    a = np_of(nn.Linear(5, 5).weight)
    ak.manual_seed(123)
    b = np_of(nn.Linear(5, 5).weight)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name,param", [("linear", None), ("sigmoid", None), ("tanh", None),
                                        ("relu", None), ("leaky_relu", None),
                                        ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)])
def test_calculate_gain_matches_torch(name, param):
    assert init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param))


def test_calculate_gain_rejects_unknown():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")


def test_init_functions_in_place_no_grad_and_return_tensor():
    p = nn.Parameter(ak.empty(20, 30))
    for fn, args in [(init.zeros_, ()), (init.ones_, ()), (init.constant_, (0.5,)),
                     (init.uniform_, (-0.1, 0.1)), (init.normal_, (0.0, 0.02)),
                     (init.xavier_uniform_, ()), (init.xavier_normal_, ()),
                     (init.kaiming_uniform_, ()), (init.kaiming_normal_, ())]:
        assert fn(p, *args) is p
        assert p.is_leaf and p.grad_fn is None and p.requires_grad
    init.constant_(p, 0.5)
    assert np.all(np_of(p) == 0.5)
    init.zeros_(p)
    assert np.all(np_of(p) == 0.0)


def test_init_distributions_have_torch_bounds_and_stds():
    ak.manual_seed(1)
    t = ak.empty(200, 100)  # fan_in 100, fan_out 200
    xavier = math.sqrt(6 / 300)
    assert np.abs(np_of(init.xavier_uniform_(t))).max() <= xavier
    assert np_of(init.xavier_normal_(t)).std() == pytest.approx(math.sqrt(2 / 300), rel=0.03)
    kaiming = math.sqrt(2) * math.sqrt(3 / 100)
    values = np_of(init.kaiming_uniform_(t, nonlinearity="relu"))
    assert np.abs(values).max() <= kaiming and np.abs(values).max() > 0.95 * kaiming
    assert np_of(init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")).std() == \
        pytest.approx(math.sqrt(2 / 200), rel=0.03)
    u = np_of(init.uniform_(t, 2.0, 3.0))
    assert u.min() >= 2.0 and u.max() < 3.0
    n = np_of(init.normal_(t, 1.0, 0.5))
    assert n.mean() == pytest.approx(1.0, abs=0.01) and n.std() == pytest.approx(0.5, rel=0.03)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(ak.empty(3))


# ----- activations and dropout -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["ReLU", "Sigmoid", "Tanh", "Identity", "Flatten"])
def test_elementwise_modules_match_torch(name):
    x = np.random.default_rng(1).standard_normal((3, 2, 2)).astype(np.float32)
    kx, tx = pair(x)
    ko, to = getattr(nn, name)()(kx), getattr(torch.nn, name)()(tx)
    close(ko, to)
    (ko * ko).sum().backward()
    (to * to).sum().backward()
    close(kx.grad, tx.grad)


@pytest.mark.parametrize("name,dim", [("Softmax", 1), ("Softmax", 0), ("LogSoftmax", 1),
                                      ("LogSoftmax", -1)])
def test_softmax_modules_match_torch(name, dim):
    x = np.random.default_rng(2).standard_normal((4, 5)).astype(np.float32)
    kx, tx = pair(x)
    ko, to = getattr(nn, name)(dim=dim)(kx), getattr(torch.nn, name)(dim=dim)(tx)
    close(ko, to)
    weights = np.arange(20, dtype=np.float32).reshape(4, 5)
    (ko * ak.tensor(weights)).sum().backward()
    (to * torch.tensor(weights)).sum().backward()
    close(kx.grad, tx.grad, atol=1e-5)


def test_softmax_without_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(ak.ones(2, 4))
    close(out, torch.full((2, 4), 0.25))


def test_dropout_statistics_and_scaling():
    ak.manual_seed(0)
    drop = nn.Dropout(p=0.3)
    x = ak.ones(200, 100, requires_grad=True)
    out = drop(x)
    values = np_of(out)
    zero_fraction = (values == 0).mean()
    assert abs(zero_fraction - 0.3) < 0.02
    np.testing.assert_allclose(values[values != 0], 1 / 0.7, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), values)  # grad is the same mask, scaled


def test_dropout_eval_is_identity_and_edge_probabilities():
    x = ak.randn(10, 10)
    drop = nn.Dropout(0.5).eval()
    np.testing.assert_array_equal(np_of(drop(x)), np_of(x))
    np.testing.assert_array_equal(np_of(F.dropout(x, 0.0)), np_of(x))
    assert np.all(np_of(F.dropout(x, 1.0)) == 0)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)


# ----- losses ------------------------------------------------------------------------------------
RNG = np.random.default_rng(42)
LOGITS = RNG.standard_normal((6, 4)).astype(np.float32) * 2
CLASSES = np.array([0, 3, 1, 1, 2, 3])
PROBS = 1 / (1 + np.exp(-RNG.standard_normal((6, 4)))).astype(np.float32)
TARGET01 = (RNG.random((6, 4)) > 0.5).astype(np.float32)
REGRESSION_TARGET = RNG.standard_normal((6, 4)).astype(np.float32)
CLASS_WEIGHT = np.array([0.5, 1.0, 2.0, 1.5], np.float32)


def _loss_cases():
    cases = [
        ("MSELoss", {}, LOGITS, REGRESSION_TARGET),
        ("L1Loss", {}, LOGITS, REGRESSION_TARGET),
        ("BCELoss", {}, PROBS, TARGET01),
        ("BCELoss", {"weight": CLASS_WEIGHT}, PROBS, TARGET01),
        ("BCEWithLogitsLoss", {}, LOGITS, TARGET01),
        ("BCEWithLogitsLoss", {"pos_weight": CLASS_WEIGHT}, LOGITS, TARGET01),
        ("BCEWithLogitsLoss", {"weight": CLASS_WEIGHT}, LOGITS, PROBS),
        ("CrossEntropyLoss", {}, LOGITS, CLASSES),
        ("CrossEntropyLoss", {"weight": CLASS_WEIGHT}, LOGITS, CLASSES),
        ("CrossEntropyLoss", {"ignore_index": 1}, LOGITS, CLASSES),
        ("CrossEntropyLoss", {"weight": CLASS_WEIGHT, "ignore_index": 3}, LOGITS, CLASSES),
        ("CrossEntropyLoss", {"label_smoothing": 0.1}, LOGITS, CLASSES),
        ("CrossEntropyLoss", {"label_smoothing": 0.2, "weight": CLASS_WEIGHT, "ignore_index": 0},
         LOGITS, CLASSES),
        ("CrossEntropyLoss", {}, LOGITS, PROBS / PROBS.sum(1, keepdims=True)),
        ("CrossEntropyLoss", {"label_smoothing": 0.1, "weight": CLASS_WEIGHT}, LOGITS,
         PROBS / PROBS.sum(1, keepdims=True)),
        ("CrossEntropyLoss", {}, LOGITS.reshape(2, 4, 3), np.array([[0, 1, 3], [2, 2, 0]])),
        ("CrossEntropyLoss", {"label_smoothing": 0.1, "weight": CLASS_WEIGHT, "ignore_index": 0},
         LOGITS.reshape(2, 4, 3), np.array([[0, 1, 3], [2, 2, 0]])),
        ("CrossEntropyLoss", {}, LOGITS[0], np.array(2)),
        ("CrossEntropyLoss", {"label_smoothing": 0.3}, LOGITS[0], np.array(2)),
        ("NLLLoss", {"weight": CLASS_WEIGHT}, LOGITS.reshape(2, 4, 3),
         np.array([[0, 1, 3], [2, 2, 0]])),
        ("NLLLoss", {}, LOGITS, CLASSES),
        ("NLLLoss", {"weight": CLASS_WEIGHT, "ignore_index": 1}, LOGITS, CLASSES),
    ]
    for name, kwargs, inp, target in cases:
        for reduction in ("mean", "sum", "none"):
            label = f"{name}-{'-'.join(kwargs)}-{inp.ndim}d-{target.dtype.kind}-{reduction}"
            yield pytest.param(name, kwargs, inp, target, reduction, id=label)


@pytest.mark.parametrize("name,kwargs,inp,target,reduction", list(_loss_cases()))
def test_loss_value_and_grad_match_torch(name, kwargs, inp, target, reduction):
    kit_kwargs = {k: ak.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    ref_kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                  for k, v in kwargs.items()}
    kx, tx = pair(inp)
    kt, tt = ak.tensor(target.copy()), torch.tensor(target.copy())
    ko = getattr(nn, name)(reduction=reduction, **kit_kwargs)(kx, kt)
    to = getattr(torch.nn, name)(reduction=reduction, **ref_kwargs)(tx, tt)
    assert tuple(ko.shape) == tuple(to.shape)
    close(ko, to, rtol=1e-5, atol=1e-6)
    seed = np.random.default_rng(7).standard_normal(tuple(to.shape)).astype(np.float32)
    (ko * ak.tensor(seed)).sum().backward()
    (to * torch.tensor(seed)).sum().backward()
    close(kx.grad, tx.grad, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "binary_cross_entropy_with_logits",
                                "cross_entropy", "nll_loss"])
def test_functional_losses_match_modules(fn):
    module_name = {"mse_loss": "MSELoss", "l1_loss": "L1Loss",
                   "binary_cross_entropy_with_logits": "BCEWithLogitsLoss",
                   "cross_entropy": "CrossEntropyLoss", "nll_loss": "NLLLoss"}[fn]
    target = CLASSES if fn in ("cross_entropy", "nll_loss") else TARGET01
    x, t = ak.tensor(LOGITS), ak.tensor(target)
    assert getattr(F, fn)(x, t).item() == pytest.approx(getattr(nn, module_name)()(x, t).item())
    ref = getattr(torch.nn.functional, fn)(torch.tensor(LOGITS), torch.tensor(target))
    assert getattr(F, fn)(x, t).item() == pytest.approx(ref.item(), rel=1e-5)


def test_cross_entropy_ignoring_everything_gives_nan_like_torch():
    target = np.full(6, -100)
    ko = F.cross_entropy(ak.tensor(LOGITS), ak.tensor(target))
    to = torch.nn.functional.cross_entropy(torch.tensor(LOGITS), torch.tensor(target))
    assert math.isnan(ko.item()) and math.isnan(to.item())


@pytest.mark.parametrize("call", [
    lambda lib, F_: F_.cross_entropy(lib.tensor(LOGITS), lib.tensor([0, 1, 7, 0, 0, 0])),
    lambda lib, F_: F_.nll_loss(lib.tensor(LOGITS), lib.tensor([0, 1])),
    lambda lib, F_: F_.cross_entropy(lib.tensor(LOGITS), lib.tensor([0.0, 1.0, 2.0, 0, 0, 0])),
    lambda lib, F_: F_.binary_cross_entropy(lib.tensor(PROBS), lib.tensor(PROBS[:, :1].copy())),
    lambda lib, F_: F_.binary_cross_entropy_with_logits(lib.tensor(LOGITS), lib.tensor(LOGITS[0])),
    lambda lib, F_: F_.mse_loss(lib.tensor(LOGITS), lib.tensor(LOGITS), reduction="avg"),
], ids=["ce-out-of-bounds", "nll-batch", "ce-float-target", "bce-size", "bcel-size",
        "bad-reduction"])
def test_loss_errors_match_torch(call):
    with pytest.raises(Exception) as ref_info:
        call(torch, torch.nn.functional)
    with pytest.raises(type(ref_info.value)) as kit_info:
        call(ak, F)
    assert str(kit_info.value) == str(ref_info.value)


def test_mse_size_mismatch_warns_like_torch():
    with warnings.catch_warnings(record=True) as ref_w:
        warnings.simplefilter("always")
        torch.nn.functional.mse_loss(torch.ones(3), torch.ones(3, 1))
    with warnings.catch_warnings(record=True) as kit_w:
        warnings.simplefilter("always")
        F.mse_loss(ak.ones(3), ak.ones(3, 1))
    assert [str(w.message) for w in kit_w] == [str(w.message) for w in ref_w]


# ----- numerical stability at +-1000 -------------------------------------------------------------
EXTREME = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], np.float32)


@pytest.mark.parametrize("fn", [
    lambda lib, F_, x: F_.binary_cross_entropy_with_logits(x, lib.tensor([[1.0, 0.0, 1.0],
                                                                          [1.0, 0.0, 0.0]])),
    lambda lib, F_, x: F_.binary_cross_entropy_with_logits(x, lib.tensor([[0.0, 1.0, 0.5],
                                                                          [0.0, 1.0, 1.0]]),
                                                           reduction="none"),
    lambda lib, F_, x: F_.cross_entropy(x, lib.tensor([1, 0])),
    lambda lib, F_, x: F_.cross_entropy(x, lib.tensor([0, 1]), reduction="none"),
    lambda lib, F_, x: F_.log_softmax(x, dim=1),
    lambda lib, F_, x: F_.softmax(x, dim=1),
    lambda lib, F_, x: F_.sigmoid(x),
    lambda lib, F_, x: F_.nll_loss(F_.log_softmax(x, dim=1), lib.tensor([2, 0])),
], ids=["bce-logits", "bce-logits-none", "ce", "ce-none", "log_softmax", "softmax", "sigmoid",
        "nll-logsoftmax"])
def test_stable_at_plus_minus_1000(fn):
    kx, tx = pair(EXTREME)
    ko, to = fn(ak, F, kx), fn(torch, torch.nn.functional, tx)
    assert np.all(np.isfinite(np_of(ko)))
    close(ko, to)
    ko.sum().backward()
    to.sum().backward()
    assert np.all(np.isfinite(np_of(kx.grad)))
    close(kx.grad, tx.grad)


def test_sequential_from_ordered_dict_matches_torch():
    from collections import OrderedDict

    kit = nn.Sequential(OrderedDict([("fc", nn.Linear(4, 2)), ("act", nn.Sigmoid())]))
    ref = torch.nn.Sequential(OrderedDict([("fc", torch.nn.Linear(4, 2)),
                                           ("act", torch.nn.Sigmoid())]))
    assert repr(kit) == repr(ref)
    assert list(kit.state_dict()) == list(ref.state_dict()) == ["fc.weight", "fc.bias"]
    assert isinstance(kit.fc, nn.Linear) and kit[1] is kit.act


def test_inplace_relu_and_dropout_return_their_input():
    x = ak.randn(3, 4, requires_grad=True)
    h = x * 1
    assert nn.ReLU(inplace=True)(h) is h and h.grad_fn.name() == "ReluBackward0"
    h.sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), (np_of(h) > 0).astype(np.float32))
    g = x * 1
    assert nn.Dropout(0.5, inplace=True)(g) is g
