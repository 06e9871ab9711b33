"""optim.lr_scheduler against PyTorch 2.13: the same code on both libraries gives the same learning rates
(exact floats), the same param groups, state dicts and warnings."""
import math
import warnings

import pytest
import torch

import autograd_kit as ak


class Halve:
    """A callable object: LambdaLR saves its __dict__ in state_dict (a plain function is saved as None)."""

    def __init__(self):
        self.factor = 0.5

    def __call__(self, epoch):
        return self.factor ** (epoch // 3)


SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=3, gamma=0.7),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[2, 5, 5, 11], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=7, eta_min=1e-3),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lr_lambda=lambda e: 0.95 ** e + 0.01 * (e % 4)),
    "LambdaLR-object": lambda S, o: S.LambdaLR(o, lr_lambda=[Halve(), lambda e: 1 / (1 + e)]),
}


def _optimizer(L, kind="SGD"):
    w, b = L.nn.Parameter(L.ones(3)), L.nn.Parameter(L.zeros(1))
    groups = [{"params": [w]}, {"params": [b], "lr": 0.37}]
    return getattr(L.optim, kind)(groups, lr=0.1, **({"momentum": 0.9} if kind == "SGD" else {}))


def _run(L, name, epochs=30):
    opt = _optimizer(L)
    sched = SCHEDULERS[name](L.optim.lr_scheduler, opt)
    lrs = [sched.get_last_lr()]
    for _ in range(epochs):
        for g in opt.param_groups:
            for p in g["params"]:
                p.grad = L.ones_like(p)
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
    state = {k: v for k, v in sched.state_dict().items() if k != "lr_lambdas"}
    return lrs, [g["lr"] for g in opt.param_groups], state, str(opt), sched


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_schedule_numbers_exact(name):
    t_lrs, t_groups, t_state, t_str, _ = _run(torch, name)
    k_lrs, k_groups, k_state, k_str, _ = _run(ak, name)
    assert k_lrs == t_lrs  # floats, compared exactly
    assert k_groups == t_groups
    assert k_str == t_str  # print(optimizer) shows initial_lr too
    assert k_state == t_state


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR"])
def test_step_with_epoch_uses_closed_form(name):
    results = []
    for L in (torch, ak):
        opt = _optimizer(L)
        sched = SCHEDULERS[name](L.optim.lr_scheduler, opt)
        opt.step()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step(9)
        results.append((sched.get_last_lr(), [str(w.message) for w in caught]))
    assert results[1] == results[0]
    assert "epoch parameter in `scheduler.step()` was not necessary" in results[0][1][0]


def test_scheduler_before_optimizer_warns():
    for L in (torch, ak):
        opt = _optimizer(L)
        sched = L.optim.lr_scheduler.StepLR(opt, 2)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
            sched.step()


def test_resume_and_load_state_dict():
    for L in (torch, ak):
        with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
            L.optim.lr_scheduler.StepLR(_optimizer(L), 2, last_epoch=4)
    _, _, _, _, t_sched = _run(torch, "LambdaLR-object", epochs=5)
    _, _, _, _, k_sched = _run(ak, "LambdaLR-object", epochs=5)
    t_sd, k_sd = t_sched.state_dict(), k_sched.state_dict()
    assert k_sd["lr_lambdas"] == t_sd["lr_lambdas"] == [{"factor": 0.5}, None]
    k_sd["lr_lambdas"][0]["factor"] = 0.25
    k_sched.load_state_dict(k_sd)
    assert k_sched.lr_lambdas[0].factor == 0.25 and "lr_lambdas" in k_sd
    opt = _optimizer(ak)
    fresh = ak.optim.lr_scheduler.StepLR(opt, 3, gamma=0.5)
    fresh.load_state_dict({"last_epoch": 7, "_last_lr": [0.025, 0.0925]})
    assert fresh.last_epoch == 7 and fresh.get_last_lr() == [0.025, 0.0925]


@pytest.mark.parametrize("kw", [dict(), dict(mode="max", factor=0.5, patience=1, threshold_mode="abs", cooldown=2),
                                dict(patience=0, min_lr=[0.05, 0.2], threshold=0.1)])
def test_reduce_lr_on_plateau(kw):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.89, 0.9, 0.91, 0.92, 0.93] * 3
    runs = []
    for L in (torch, ak):
        opt = _optimizer(L, "Adam")
        sched = L.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        seen = []
        for i, m in enumerate(metrics):
            opt.step()
            sched.step(L.tensor(m) if i % 2 else m)
            seen.append((sched.get_last_lr(), sched.num_bad_epochs, sched.best, sched.cooldown_counter))
        runs.append(seen)
    assert runs[1] == runs[0]
    for L in (torch, ak):
        with pytest.raises(ValueError, match="Factor should be < 1.0."):
            L.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(L), factor=1.0)
        with pytest.raises(ValueError, match="mode sideways is unknown!"):
            L.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(L), mode="sideways")


def test_get_lr_outside_step_warns_and_type_check():
    for L in (torch, ak):
        sched = L.optim.lr_scheduler.ExponentialLR(_optimizer(L), 0.5)
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sched.get_lr()
        with pytest.raises(TypeError, match="int is not an Optimizer"):
            L.optim.lr_scheduler.StepLR(3, 1)
    assert math.isclose(ak.optim.lr_scheduler.CosineAnnealingLR(_optimizer(ak), 10).get_last_lr()[0], 0.1)
