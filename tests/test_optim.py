"""autograd_kit.optim vs PyTorch 2.13: N training steps from identical weights give the same numbers."""
import numpy as np
import pytest
import torch

import autograd_kit as ak
import autograd_kit.nn as nn
import autograd_kit.optim as optim

RNG = np.random.default_rng(3)
X = RNG.standard_normal((15, 5)).astype(np.float32)  # odd batch: L1 sign grads never cancel to 0
Y_REG = RNG.standard_normal((15, 3)).astype(np.float32)
Y_CLS = RNG.integers(0, 3, 15)
Y_BIN = (RNG.random((15, 3)) > 0.5).astype(np.float32)

LOSSES = {  # name -> (loss module name, target array)
    "mse": ("MSELoss", Y_REG),
    "l1": ("L1Loss", Y_REG),
    "cross_entropy": ("CrossEntropyLoss", Y_CLS),
    "bce_logits": ("BCEWithLogitsLoss", Y_BIN),
}

OPTIMIZERS = {  # id -> (class name, kwargs)
    "sgd": ("SGD", {"lr": 0.1}),
    "sgd-momentum": ("SGD", {"lr": 0.05, "momentum": 0.9}),
    "sgd-dampening": ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    "sgd-nesterov": ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    "sgd-weight-decay": ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01}),
    "sgd-maximize": ("SGD", {"lr": 0.01, "maximize": True}),
    "adam": ("Adam", {"lr": 0.01}),
    "adam-amsgrad": ("Adam", {"lr": 0.01, "amsgrad": True}),
    "adam-weight-decay": ("Adam", {"lr": 0.01, "weight_decay": 0.1, "betas": (0.8, 0.99)}),
    "adam-amsgrad-wd-maximize": ("Adam", {"lr": 0.005, "amsgrad": True, "weight_decay": 0.05,
                                          "maximize": True}),
    "adam-decoupled": ("Adam", {"lr": 0.01, "weight_decay": 0.1,
                                "decoupled_weight_decay": True}),
}


def mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(5, 8), lib.nn.Tanh(), lib.nn.Linear(8, 6),
                             lib.nn.ReLU(), lib.nn.Linear(6, 3))


def twin_models():
    ak.manual_seed(0)
    kit, ref = mlp(ak), mlp(torch)
    with torch.no_grad():
        for kp, tp in zip(kit.parameters(), ref.parameters()):
            tp.copy_(torch.from_numpy(kp.detach().numpy().copy()))
    return kit, ref


def assert_params_close(kit, ref, rtol=1e-5, atol=1e-6):
    for (name, kp), (_, tp) in zip(kit.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(kp.detach().numpy(), tp.detach().numpy(), rtol=rtol,
                                   atol=atol, err_msg=name)


def train(lib, model, opt, loss_name, steps):
    loss_cls, target = LOSSES[loss_name]
    loss_fn = getattr(lib.nn, loss_cls)()
    x, y = lib.tensor(X), lib.tensor(target)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("loss_name", list(LOSSES))
@pytest.mark.parametrize("opt_id", list(OPTIMIZERS))
def test_training_steps_match_torch(opt_id, loss_name):
    cls, kwargs = OPTIMIZERS[opt_id]
    kit, ref = twin_models()
    kit_opt = getattr(optim, cls)(kit.parameters(), **kwargs)
    ref_opt = getattr(torch.optim, cls)(ref.parameters(), **kwargs)
    kit_losses = train(ak, kit, kit_opt, loss_name, 8)
    ref_losses = train(torch, ref, ref_opt, loss_name, 8)
    np.testing.assert_allclose(kit_losses, ref_losses, rtol=1e-5, atol=1e-6)
    assert_params_close(kit, ref)
    if not kwargs.get("maximize"):
        assert kit_losses[-1] < kit_losses[0]  # the optimiser actually descends


def test_param_groups_with_own_lr_match_torch():
    kit, ref = twin_models()
    kit_opt = optim.SGD([{"params": kit[0].parameters()},
                         {"params": kit[2].parameters(), "lr": 0.01, "momentum": 0.5}],
                        lr=0.1)
    ref_opt = torch.optim.SGD([{"params": ref[0].parameters()},
                               {"params": ref[2].parameters(), "lr": 0.01, "momentum": 0.5}],
                              lr=0.1)
    kit_opt.add_param_group({"params": kit[4].parameters(), "lr": 0.2})
    ref_opt.add_param_group({"params": ref[4].parameters(), "lr": 0.2})
    assert [g["lr"] for g in kit_opt.param_groups] == [0.1, 0.01, 0.2]
    assert [{k: v for k, v in g.items() if k != "params"} for g in kit_opt.param_groups] == \
        [{k: v for k, v in g.items() if k != "params"} for g in ref_opt.param_groups]
    train(ak, kit, kit_opt, "mse", 5)
    train(torch, ref, ref_opt, "mse", 5)
    assert_params_close(kit, ref)


@pytest.mark.parametrize("cls,kwargs", [("SGD", {"lr": 0.1}),
                                        ("SGD", {"lr": 0.1, "momentum": 0.9}),
                                        ("Adam", {}), ("Adam", {"amsgrad": True})])
def test_repr_param_groups_and_state_dict_layout_match_torch(cls, kwargs):
    kit, ref = twin_models()
    kit_opt = getattr(optim, cls)(kit.parameters(), **kwargs)
    ref_opt = getattr(torch.optim, cls)(ref.parameters(), **kwargs)
    assert repr(kit_opt) == repr(ref_opt)
    assert kit_opt.defaults == ref_opt.defaults
    train(ak, kit, kit_opt, "mse", 2)
    train(torch, ref, ref_opt, "mse", 2)
    kit_sd, ref_sd = kit_opt.state_dict(), ref_opt.state_dict()
    assert kit_sd["param_groups"] == ref_sd["param_groups"]
    assert list(kit_sd["state"]) == list(ref_sd["state"])
    for index, ref_state in ref_sd["state"].items():
        kit_state = kit_sd["state"][index]
        assert list(kit_state) == list(ref_state)
        for key, value in ref_state.items():
            assert tuple(kit_state[key].shape) == tuple(value.shape)
            np.testing.assert_allclose(kit_state[key].numpy(), value.numpy(), rtol=1e-5,
                                       atol=1e-7)


@pytest.mark.parametrize("cls,kwargs", [("SGD", {"lr": 0.05, "momentum": 0.9}),
                                        ("Adam", {"lr": 0.01, "amsgrad": True})])
def test_load_state_dict_resumes_training_exactly(cls, kwargs):
    ak.manual_seed(5)
    model = mlp(ak)
    opt = getattr(optim, cls)(model.parameters(), **kwargs)
    train(ak, model, opt, "cross_entropy", 3)
    model_sd = {k: v.clone() for k, v in model.state_dict().items()}
    opt_sd = opt.state_dict()
    opt_sd = {"state": {i: {k: v.clone() for k, v in s.items()}
                        for i, s in opt_sd["state"].items()},
              "param_groups": opt_sd["param_groups"]}
    continued = train(ak, model, opt, "cross_entropy", 3)

    resumed_model = mlp(ak)
    resumed_model.load_state_dict(model_sd)
    resumed_opt = getattr(optim, cls)(resumed_model.parameters(), **kwargs)
    resumed_opt.load_state_dict(opt_sd)
    resumed = train(ak, resumed_model, resumed_opt, "cross_entropy", 3)
    assert resumed == continued
    assert_params_close(model, resumed_model, rtol=0, atol=0)


def test_load_state_dict_rejects_mismatched_groups():
    model = mlp(ak)
    opt = optim.SGD(model.parameters(), lr=0.1)
    other = optim.SGD(model[0].parameters(), lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        other.load_state_dict(opt.state_dict())


def test_zero_grad_default_sets_none_and_step_skips_params_without_grad():
    model = mlp(ak)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    train(ak, model, opt, "mse", 1)
    assert all(p.grad is not None for p in model.parameters())
    opt.zero_grad(set_to_none=False)
    assert all(float(np.abs(p.grad.numpy()).max()) == 0.0 for p in model.parameters())
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    before = [p.detach().numpy().copy() for p in model.parameters()]
    opt.step()
    for b, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(b, p.detach().numpy())


def test_plain_sgd_keeps_no_state_and_updates_in_place_without_graph():
    model = mlp(ak)
    weight = model[0].weight
    opt = optim.SGD(model.parameters(), lr=0.1)
    expected = weight.detach().numpy().copy()
    train(ak, model, opt, "mse", 1)
    expected -= 0.1 * weight.grad.numpy()
    assert model[0].weight is weight and weight.is_leaf and weight.grad_fn is None
    np.testing.assert_allclose(weight.detach().numpy(), expected, rtol=1e-6)
    assert len(opt.state) == 0


def test_step_with_closure_returns_loss():
    model = mlp(ak)
    opt = optim.Adam(model.parameters())
    x, y = ak.tensor(X), ak.tensor(Y_REG)

    def closure():
        opt.zero_grad()
        loss = nn.MSELoss()(model(x), y)
        loss.backward()
        return loss

    with ak.no_grad():
        loss = opt.step(closure)
    assert loss.grad_fn is not None and loss.item() > 0


@pytest.mark.parametrize("make", [
    lambda lib, ps: lib.optim.SGD(ps, lr=-1),
    lambda lib, ps: lib.optim.SGD(ps, lr=0.1, momentum=-0.5),
    lambda lib, ps: lib.optim.SGD(ps, lr=0.1, nesterov=True),
    lambda lib, ps: lib.optim.Adam(ps, betas=(1.0, 0.9)),
    lambda lib, ps: lib.optim.Adam(ps, eps=-1.0),
    lambda lib, ps: lib.optim.Adam([]),
], ids=["lr", "momentum", "nesterov", "betas", "eps", "empty"])
def test_constructor_errors_match_torch(make):
    with pytest.raises(Exception) as ref_info:
        make(torch, list(mlp(torch).parameters()))
    with pytest.raises(type(ref_info.value)) as kit_info:
        make(ak, list(mlp(ak).parameters()))
    assert str(kit_info.value) == str(ref_info.value)


def test_non_leaf_parameter_rejected():
    x = ak.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([x * 2], lr=0.1)
