"""``torch.distributions`` (issue 11): every line runs on autograd_kit and on PyTorch 2.13 and must give the
same repr (samples after the same seed, log_prob, entropy, printing, grad_fn names) or the same error type and
message; then exact (bit-for-bit) sampling across shapes and dtypes, and gradients through rsample/log_prob/KL."""
import numpy as np
import pytest
import torch as real_torch

import autograd_kit as ak
from test_tutorial_api import run

CASES = r"""
D = torch.distributions; torch.manual_seed(0); m = D.Normal(torch.tensor([0., 1.]), torch.tensor([1., 2.])); r = m, m.sample(), m.sample((3,)), m.rsample(), m.batch_shape, m.event_shape
D = torch.distributions; torch.manual_seed(0); m = D.Normal(0., 1.); r = m, m.sample(), m.log_prob(torch.tensor([0.5, 1.])), m.entropy(), m.cdf(torch.tensor(0.3)), m.icdf(torch.tensor(0.3)), m.mean, m.stddev, m.variance, m.mode
D = torch.distributions; m = D.Normal(torch.tensor(0.5), 2.); r = m, m.log_prob(torch.tensor([[0.5], [1.]])), m.perplexity()
D = torch.distributions; torch.manual_seed(1); p = torch.tensor([0.2, 0.5, 0.3]); m = D.Categorical(p); a = m.sample((5,)); r = m, a, m.log_prob(a), m.entropy(), m.probs, m.logits, m.mode, m.param_shape
D = torch.distributions; torch.manual_seed(1); m = D.Categorical(logits=torch.tensor([[1., 2., 3.], [0., 0., 1.]])); a = m.sample(); r = m, a, m.log_prob(a), m.entropy(), m.enumerate_support(), m.mean, m.variance
D = torch.distributions; torch.manual_seed(1); m = D.Categorical(torch.tensor([[1., 2., 3.], [4., 0., 1.]])); r = m.probs, m.sample((2, 2)), m.support
D = torch.distributions; torch.manual_seed(2); m = D.Bernoulli(torch.tensor([0.3, 0.9])); s = m.sample((4,)); r = m, s, m.log_prob(s), m.entropy(), m.logits, m.mean, m.variance, m.enumerate_support()
D = torch.distributions; torch.manual_seed(2); m = D.Bernoulli(logits=torch.tensor([-1., 2.])); s = m.sample(); r = m, s, m.probs, m.log_prob(s), m.mode, D.Bernoulli(0.5).mode
D = torch.distributions; torch.manual_seed(3); m = D.Uniform(torch.tensor([0., 1.]), torch.tensor([2., 5.])); s = m.sample((2,)); r = m, s, m.log_prob(s), m.entropy(), m.cdf(s), m.icdf(torch.tensor([0.5, 0.5])), m.support, m.mean, m.stddev
D = torch.distributions; torch.manual_seed(3); m = D.Uniform(0., 2.); r = m, m.rsample((3,)), m.log_prob(torch.tensor([-1., 1., 3.]).clamp(0, 1.5)), m.variance
D = torch.distributions; torch.manual_seed(4); m = D.Exponential(torch.tensor([0.5, 2.])); s = m.sample((3,)); r = m, s, m.log_prob(s), m.entropy(), m.cdf(s), m.icdf(torch.tensor([0.3, 0.6])), m.mean, m.mode, m.variance
D = torch.distributions; torch.manual_seed(5); m = D.Laplace(torch.tensor([0.5]), torch.tensor([2.])); s = m.rsample((3,)); r = m, s, m.log_prob(s), m.entropy(), m.cdf(s), m.icdf(torch.tensor([0.2])), m.variance, m.stddev
D = torch.distributions; torch.manual_seed(6); m = D.OneHotCategorical(torch.tensor([0.2, 0.5, 0.3])); s = m.sample((4,)); r = m, s, m.log_prob(s), m.entropy(), m.event_shape, m.mode, m.mean, m.enumerate_support()
D = torch.distributions; torch.manual_seed(6); p = torch.tensor([0.2, 0.5, 0.3], requires_grad=True); s = D.OneHotCategoricalStraightThrough(p).rsample(); (s * torch.tensor([1., 2., 3.])).sum().backward(); r = s, p.grad
D = torch.distributions; torch.manual_seed(7); m = D.Independent(D.Normal(torch.zeros(2, 3), torch.ones(2, 3)), 1); s = m.sample(); r = m, s, m.log_prob(s), m.batch_shape, m.event_shape, m.entropy(), m.support
D = torch.distributions; torch.manual_seed(8); m = D.MultivariateNormal(torch.zeros(2), torch.tensor([[2., 0.5], [0.5, 1.]])); s = m.sample((3,)); r = m, s, m.log_prob(s), m.entropy(), m.scale_tril, m.variance
D = torch.distributions; torch.manual_seed(8); m = D.MultivariateNormal(torch.zeros(2), scale_tril=torch.tensor([[2., 0.], [0.5, 1.]])); s = m.rsample(); r = m, s, m.log_prob(s), m.covariance_matrix, m.variance
D = torch.distributions; torch.manual_seed(8); m = D.MultivariateNormal(torch.zeros(3, 2, dtype=torch.float64), precision_matrix=torch.tensor([[2., 0.5], [0.5, 1.]], dtype=torch.float64)); r = m, m.batch_shape, m.sample(), m.covariance_matrix[0]
D = torch.distributions; p = D.Normal(torch.tensor([0., 1.]), torch.tensor([1., 2.])); q = D.Normal(torch.tensor([1., 1.]), torch.tensor([1., 1.])); r = D.kl_divergence(p, q), D.kl_divergence(p, D.Laplace(0., 1.))
D = torch.distributions; r = D.kl_divergence(D.Categorical(torch.tensor([0.2, 0.8])), D.Categorical(torch.tensor([0.5, 0.5]))), D.kl_divergence(D.Bernoulli(0.3), D.Bernoulli(0.6)), D.kl_divergence(D.Categorical(torch.tensor([0., 1.])), D.Categorical(torch.tensor([0.5, 0.5])))
D = torch.distributions; r = D.kl_divergence(D.Uniform(0., 1.), D.Uniform(-1., 2.)), D.kl_divergence(D.Uniform(0., 1.), D.Normal(0., 1.)), D.kl_divergence(D.Exponential(1.), D.Exponential(2.)), D.kl_divergence(D.Laplace(0., 1.), D.Laplace(1., 2.))
D = torch.distributions; r = D.kl_divergence(D.Uniform(0., 2.), D.Uniform(0.5, 1.)), D.kl_divergence(D.Exponential(1.), D.Normal(0., 1.)), D.kl_divergence(D.Laplace(0., 1.), D.Normal(1., 2.)), D.kl_divergence(D.Normal(0., 1.), D.Uniform(0., 1.))
D = torch.distributions; r = D.kl_divergence(D.Uniform(0., 2.), D.Exponential(1.)), D.kl_divergence(D.Bernoulli(torch.tensor([0., 1., 0.5])), D.Bernoulli(torch.tensor([0.5, 0.5, 1.])))
D = torch.distributions; r = D.kl_divergence(D.MultivariateNormal(torch.zeros(2), torch.eye(2)), D.MultivariateNormal(torch.ones(2), torch.eye(2) * 2))
D = torch.distributions; r = D.kl_divergence(D.OneHotCategorical(torch.tensor([0.2, 0.8])), D.OneHotCategorical(torch.tensor([0.5, 0.5])))
D = torch.distributions; r = D.kl_divergence(D.Independent(D.Normal(torch.zeros(2, 3), 1.), 1), D.Independent(D.Normal(torch.ones(2, 3), 2.), 1))
D = torch.distributions; r = D.kl_divergence(D.Normal(0., 1.), D.Bernoulli(0.3))
D = torch.distributions; r = D.kl_divergence(D.Categorical(torch.tensor([0.2, 0.8])), D.Normal(0., 1.))
D = torch.distributions; r = D.Normal(torch.tensor([0.]), torch.tensor([-1.]))
D = torch.distributions; r = D.Normal(torch.tensor([0.]), torch.tensor([-1.]), validate_args=False)
D = torch.distributions; r = D.Normal(0., 1.).log_prob(1.)
D = torch.distributions; r = D.Categorical(torch.tensor([0.2, 0.8])).log_prob(torch.tensor(2))
D = torch.distributions; r = D.Bernoulli(torch.tensor([1.5]))
D = torch.distributions; r = D.Bernoulli(torch.tensor([0.5])).log_prob(torch.tensor([0.5]))
D = torch.distributions; r = D.Categorical(torch.tensor([-0.2, 0.8]))
D = torch.distributions; r = D.Categorical(torch.tensor(0.5))
D = torch.distributions; r = D.Normal(torch.zeros(2), torch.ones(2)).log_prob(torch.zeros(3))
D = torch.distributions; r = D.MultivariateNormal(torch.zeros(2), torch.ones(2, 3)).event_shape
D = torch.distributions; r = D.MultivariateNormal(torch.zeros(2), torch.tensor([[1., 2.], [2., 1.]]))
D = torch.distributions; r = D.MultivariateNormal(torch.zeros(2), torch.eye(2), scale_tril=torch.eye(2))
D = torch.distributions; r = D.MultivariateNormal(torch.zeros(2), torch.eye(2)).log_prob(torch.zeros(3))
D = torch.distributions; r = D.Exponential(torch.tensor([1.])).log_prob(torch.tensor([-1.]))
D = torch.distributions; r = D.Uniform(torch.tensor([1.]), torch.tensor([0.]))
D = torch.distributions; r = D.Uniform(0., 1.).log_prob(torch.tensor(2.))
D = torch.distributions; r = D.Categorical()
D = torch.distributions; r = D.Bernoulli(probs=0.3, logits=0.1)
D = torch.distributions; r = D.Independent(D.Normal(0., 1.), 1)
D = torch.distributions; r = D.Normal(torch.zeros(2), torch.ones(2)).expand((3, 2)), D.Categorical(torch.tensor([0.2, 0.8])).expand((4,)).batch_shape
D = torch.distributions; torch.manual_seed(0); r = D.Categorical(torch.tensor([0.2, 0.8])).expand((4,)).sample(), D.Bernoulli(torch.tensor(0.3)).expand((2, 2)).sample(), D.Uniform(0., 1.).expand((3,)).sample()
D = torch.distributions; torch.manual_seed(0); r = D.Exponential(1.).expand((2,)).sample(), D.Laplace(0., 1.).expand((2,)).sample(), D.Independent(D.Normal(torch.zeros(3), 1.), 1).expand((2,)).sample()
D = torch.distributions; torch.manual_seed(0); m = D.MultivariateNormal(torch.zeros(2), torch.eye(2)).expand((3,)); r = m, m.sample(), m.covariance_matrix.shape
D = torch.distributions; torch.manual_seed(0); mu = torch.tensor([0.5, -0.5], requires_grad=True); logvar = torch.tensor([0.1, 0.2], requires_grad=True); std = torch.exp(0.5 * logvar); q = D.Normal(mu, std); z = q.rsample(); kl = D.kl_divergence(q, D.Normal(torch.zeros(2), torch.ones(2))).sum(); (z.sum() + kl).backward(); r = z, kl, mu.grad, logvar.grad
D = torch.distributions; torch.manual_seed(0); logits = torch.tensor([0.1, 0.5, -0.3], requires_grad=True); m = D.Categorical(logits=logits); a = m.sample(); loss = -m.log_prob(a) * 2.0; loss.backward(); r = a, loss, logits.grad
D = torch.distributions; torch.manual_seed(0); p = torch.tensor([0.1, 0.6, 0.3], requires_grad=True); m = D.Categorical(p); (m.entropy() + m.log_prob(torch.tensor(1))).backward(); r = p.grad
D = torch.distributions; torch.manual_seed(0); a = torch.tensor([0.5, 1.5], requires_grad=True); m = D.Uniform(-a, a); s = m.rsample(); s.sum().backward(); r = s, a.grad, m.log_prob(s)
D = torch.distributions; L = torch.tensor([[1., 0.], [0.5, 2.]], requires_grad=True); m = D.MultivariateNormal(torch.zeros(2), scale_tril=L); lp = m.log_prob(torch.tensor([0.3, -0.2])); lp.backward(); r = lp, L.grad
D = torch.distributions; C = torch.tensor([[2., 0.3], [0.3, 1.]], dtype=torch.float64, requires_grad=True); m = D.MultivariateNormal(torch.zeros(2, dtype=torch.float64), C); lp = m.log_prob(torch.tensor([0.3, -0.2], dtype=torch.float64)); lp.backward(); r = lp, C.grad
D = torch.distributions; torch.manual_seed(9); mix = D.Categorical(torch.tensor([0.3, 0.7])); comp = D.Normal(torch.tensor([-1., 2.]), torch.tensor([0.5, 1.])); g = D.MixtureSameFamily(mix, comp); s = g.sample((5,)); r = g, s, g.log_prob(s), g.mean, g.variance, g.cdf(s), g.batch_shape, g.event_shape
D = torch.distributions; torch.manual_seed(9); mix = D.Categorical(logits=torch.zeros(3, 2)); comp = D.Independent(D.Normal(torch.randn(3, 2, 4), torch.rand(3, 2, 4) + 0.5), 1); g = D.MixtureSameFamily(mix, comp); s = g.sample((2,)); r = s, g.log_prob(s), g.mean, g.variance, g.support
D = torch.distributions; torch.manual_seed(9); pi = torch.tensor([[0.2, 0.8]], requires_grad=True); mu = torch.tensor([[0., 1.]], requires_grad=True); g = D.MixtureSameFamily(D.Categorical(logits=pi), D.Normal(mu, torch.ones(1, 2))); nll = -g.log_prob(torch.tensor([0.5])).mean(); nll.backward(); r = nll, pi.grad, mu.grad, g.expand((3,)).sample()
D = torch.distributions; r = D.MixtureSameFamily(D.Categorical(torch.ones(3)), D.Normal(torch.zeros(2), torch.ones(2)))
D = torch.distributions; r = D.MixtureSameFamily(D.Normal(0., 1.), D.Normal(torch.zeros(2), torch.ones(2)))
D = torch.distributions; torch.manual_seed(10); m = D.LogNormal(torch.tensor([0., 1.]), torch.tensor([0.5, 0.25])); s = m.sample((3,)); r = m, s, m.log_prob(s), m.mean, m.mode, m.variance, m.entropy(), m.cdf(s), m.support, m.batch_shape
D = torch.distributions; torch.manual_seed(10); m = D.LogNormal(0., 1.).expand((2,)); r = m, m.rsample(), m.icdf(torch.tensor([0.1, 0.9]))
D = torch.distributions; torch.manual_seed(11); base = D.Normal(torch.zeros(3), torch.ones(3)); m = D.TransformedDistribution(base, [D.transforms.AffineTransform(1., 2.), D.transforms.SigmoidTransform()]); s = m.sample((2,)); r = s, m.log_prob(s), m.batch_shape, m.support, m.cdf(s)
D = torch.distributions; torch.manual_seed(12); mu = torch.tensor([0.3, -0.2], requires_grad=True); m = D.TransformedDistribution(D.Normal(mu, torch.ones(2)), [D.transforms.TanhTransform(cache_size=1)]); a = m.rsample(); lp = m.log_prob(a); lp.sum().backward(); r = a, lp, mu.grad
D = torch.distributions; torch.manual_seed(12); m = D.TransformedDistribution(D.Uniform(torch.zeros(2), torch.ones(2)), D.transforms.AffineTransform(torch.tensor([1., 2.]), torch.tensor([-1., 3.]))); s = m.sample(); r = s, m.log_prob(s), m.cdf(s), m.icdf(torch.tensor([0.25, 0.5]))
D = torch.distributions; t = D.transforms; c = t.ComposeTransform([t.ExpTransform(), t.AffineTransform(0., 2.)]); x = torch.tensor([0.5, -1.]); y = c(x); r = c, y, c.inv(y), c.log_abs_det_jacobian(x, y), c.inv, t.ExpTransform().inv, t.ExpTransform() == t.ExpTransform(), c.sign, t.SoftplusTransform()(x), t.SoftplusTransform().inv(t.SoftplusTransform()(x)), t.AbsTransform()(x)
D = torch.distributions; r = D.TransformedDistribution(D.Normal(0., 1.), 3)
torch.manual_seed(0); r = torch.poisson(torch.tensor([0.5, 3., 12., 0., 150., 9.99, 10.])), torch.poisson(torch.tensor([2.], dtype=torch.float64), generator=torch.Generator().manual_seed(3))
r = torch.poisson(torch.tensor([-1.]))
x = torch.tensor([2., 30.], requires_grad=True); torch.manual_seed(1); y = torch.poisson(x); (y * x).sum().backward(); r = y, x.grad, y.grad_fn.name()
D = torch.distributions; torch.manual_seed(13); m = D.Poisson(torch.tensor([0.5, 4., 25.])); s = m.sample((4,)); r = m, s, m.log_prob(s), m.mean, m.mode, m.variance, m.support, D.Poisson(3.).sample((2,))
D = torch.distributions; r = D.kl_divergence(D.Poisson(torch.tensor([1., 2.])), D.Poisson(torch.tensor([2., 2.]))), D.kl_divergence(D.Bernoulli(0.3), D.Poisson(1.5)), D.Poisson(torch.tensor([-1.]))
D = torch.distributions; r = D.Poisson(2.).log_prob(torch.tensor(1.5))
torch.manual_seed(0); r = torch._standard_gamma(torch.tensor([0.3, 0.7, 1., 2.5, 5., 0.05, 10., 0.])), torch._standard_gamma(torch.tensor([0.5, 3.], dtype=torch.float64))
D = torch.distributions; torch.manual_seed(14); m = D.Gamma(torch.tensor([0.5, 2., 9.]), torch.tensor([1., 0.5, 3.])); s = m.sample((3,)); r = m, s, m.log_prob(s), m.entropy(), m.mean, m.mode, m.variance, m.support
D = torch.distributions; torch.manual_seed(15); m = D.Chi2(torch.tensor([1., 4.])); s = m.sample((2,)); r = m, s, m.log_prob(s), m.df, m.entropy(), D.Gamma(2., 3.).sample((2,)), D.Gamma(2., 3.).expand((2,)).rsample()
D = torch.distributions; r = D.kl_divergence(D.Gamma(torch.tensor([1., 2.]), torch.tensor([1., 3.])), D.Gamma(torch.tensor([2., 2.]), torch.tensor([1., 1.]))), D.Gamma(torch.tensor([-1.]), 1.)
D = torch.distributions; r = D.Gamma(2., 1.).log_prob(torch.tensor([-1.]))
D = torch.distributions; r = D.Normal.arg_constraints, D.Categorical.arg_constraints, D.Bernoulli.support, D.Exponential.support, D.MultivariateNormal.arg_constraints
D = torch.distributions; r = D.Normal.has_rsample, D.Categorical.has_rsample, D.Categorical.has_enumerate_support, D.Independent(D.Normal(torch.zeros(2), 1.), 1).has_rsample
D = torch.distributions; r = isinstance(D.Normal(0., 1.), D.Distribution), issubclass(D.Normal, D.ExponentialFamily), D.constraints.positive.check(torch.tensor([0., 1.]))
from torch.distributions import Normal, Categorical, kl_divergence; from torch.distributions.normal import Normal as N2; from torch.distributions.categorical import Categorical as C2; r = Normal is N2, Categorical is C2
"""


@pytest.mark.parametrize("code", [c for c in CASES.strip("\n").split("\n") if c.strip()])
def test_same_as_pytorch(code):
    assert run(ak, code) == run(real_torch, code)


def _draws(mod, dtype, seed, shape):
    """Every distribution's sample/rsample for one seed: the kit's numbers must be PyTorch's, bit for bit."""
    D = mod.distributions
    dt = getattr(mod, dtype)
    rng = np.random.default_rng(seed)
    batch = shape[1:]
    loc = mod.tensor(rng.standard_normal(batch), dtype=dt)
    scale = mod.tensor(rng.uniform(0.5, 2, batch), dtype=dt)
    probs = mod.tensor(rng.uniform(0.05, 1, batch + (5,)), dtype=dt)
    mod.manual_seed(seed)
    out = [D.Normal(loc, scale).sample(shape[:1]), D.Normal(loc, scale).rsample(shape[:1]),
           D.Uniform(loc, loc + scale).sample(shape[:1]), D.Exponential(scale).sample(shape[:1]),
           D.Laplace(loc, scale).sample(shape[:1]), D.Bernoulli(scale / 2).sample(shape[:1]),
           D.Categorical(probs).sample(shape[:1]), D.OneHotCategorical(probs).sample(shape[:1]),
           D.Categorical(logits=probs.log()).sample(shape[:1]),
           D.MultivariateNormal(probs[..., :3], scale_tril=mod.eye(3, dtype=dt) * 2).sample(shape[:1]),
           D.Poisson(scale * 8).sample(shape[:1]), D.Gamma(scale, scale * 2 + 1).sample(shape[:1]),
           D.Gamma(scale / 4, 2.0).rsample(shape[:1]),
           D.Normal(loc, scale).sample(), D.Categorical(probs).sample()]
    return [o.numpy() for o in out]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(1,), (3, 7), (17, 2, 3), (40, 33)])
def test_samples_are_pytorchs_bit_for_bit(dtype, shape):
    for seed in (0, 1, 12345):
        kit, ref = _draws(ak, dtype, seed, shape), _draws(real_torch, dtype, seed, shape)
        for i, (k, t) in enumerate(zip(kit, ref)):
            assert k.dtype == t.dtype and k.shape == t.shape
            if i == LAPLACE:  # its uniform draws are PyTorch's; log1p's last bit is NumPy's (see below)
                np.testing.assert_allclose(k, t, rtol=0, atol=8 * np.finfo(k.dtype).eps * np.abs(t).max())
            else:
                assert np.array_equal(k, t)  # bit-identical for floats (no nan here), equal for indices


LAPLACE = 4  # index of Laplace in _draws: ``loc - scale·sign(u)·log1p(-|u|)``; log1p is not yet PyTorch's
#             kernel bit for bit (MKL VML's Log1p is, on short arrays), so Laplace samples may differ in the last bit


def _scores(mod):
    """log_prob, entropy and KL values and their gradients, float64."""
    D = mod.distributions
    rng = np.random.default_rng(5)
    f64 = mod.float64
    a = mod.tensor(rng.standard_normal(4), dtype=f64, requires_grad=True)
    b = mod.tensor(rng.uniform(0.5, 2, 4), dtype=f64, requires_grad=True)
    x = mod.tensor(rng.uniform(0.1, 0.9, 4), dtype=f64)
    logits = mod.tensor(rng.standard_normal((4, 3)), dtype=f64, requires_grad=True)
    dists = [D.Normal(a, b), D.Laplace(a, b), D.Uniform(a - 3, a + b + 3), D.Exponential(b),
             D.Bernoulli(logits=a), D.Bernoulli(probs=x * b / 2)]
    vals = []
    for d in dists:
        value = x if not isinstance(d, D.Bernoulli) else (x > 0.5).to(f64)
        vals += [d.log_prob(value), d.entropy()]
        if hasattr(d, "cdf") and not isinstance(d, D.Bernoulli):
            vals.append(d.cdf(x))
    cat = D.Categorical(logits=logits)
    vals += [cat.log_prob(mod.tensor([0, 2, 1, 1])), cat.entropy(),
             D.kl_divergence(cat, D.Categorical(probs=logits.softmax(-1).flip(-1))),
             D.kl_divergence(D.Normal(a, b), D.Normal(b, a.exp())), D.kl_divergence(D.Laplace(a, b), D.Normal(a, b)),
             D.kl_divergence(D.Normal(a, b), D.Laplace(b, a.exp())),
             D.kl_divergence(D.Bernoulli(logits=a), D.Bernoulli(logits=b)),
             D.kl_divergence(D.Exponential(b), D.Exponential(a.exp()))]
    cov = logits[:3].T @ logits[:3] + mod.eye(3, dtype=f64)
    mvn = D.MultivariateNormal(a[:3], covariance_matrix=cov)
    vals += [mvn.log_prob(logits), mvn.entropy(), D.kl_divergence(mvn, D.MultivariateNormal(b[:3], scale_tril=mod.eye(3, dtype=f64) * 2))]
    total = sum(v.sum() for v in vals)
    grads = mod.autograd.grad(total, (a, b, logits))
    return [v.detach().numpy() for v in vals] + [g.numpy() for g in grads]


def test_log_prob_entropy_kl_and_gradients_match_pytorch():
    for k, t in zip(_scores(ak), _scores(real_torch)):
        np.testing.assert_allclose(k, t, rtol=1e-12, atol=1e-12)


def test_reinforce_step_matches_pytorch():
    """The policy-gradient step of pytorch/examples' reinforce.py: Categorical(probs).sample(), log_prob,
    returns normalised, Adam; the same actions and the same parameters after a few episodes."""
    def episodes(mod):
        mod.manual_seed(543)
        net = mod.nn.Sequential(mod.nn.Linear(4, 8), mod.nn.ReLU(), mod.nn.Linear(8, 3), mod.nn.Softmax(dim=-1))
        opt = mod.optim.Adam(net.parameters(), lr=1e-2)
        actions = []
        for _ in range(5):
            log_probs, rewards = [], []
            state = mod.ones(1, 4)
            for _ in range(6):
                m = mod.distributions.Categorical(net(state))
                a = m.sample()
                log_probs.append(m.log_prob(a))
                rewards.append(float(a.item() == 2))
                actions.append(a.item())
                state = state * 0.5 + a.float()
            R, returns = 0.0, []
            for r in rewards[::-1]:
                R = r + 0.99 * R
                returns.insert(0, R)
            returns = mod.tensor(returns)
            returns = (returns - returns.mean()) / (returns.std() + 1e-7)
            loss = mod.cat([-lp * R for lp, R in zip(log_probs, returns)]).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return actions, [p.detach().numpy() for p in net.parameters()]
    (ka, kp), (ta, tp) = episodes(ak), episodes(real_torch)
    assert ka == ta
    for k, t in zip(kp, tp):
        np.testing.assert_allclose(k, t, rtol=1e-5, atol=1e-6)


def test_gamma_rsample_gradient_matches_pytorch():
    """Gamma.rsample's gradient (implicit reparameterization): the same draws, and d sample/d concentration and
    d sample/d rate to PyTorch's accuracy (PyTorch evaluates dx/dα with a fitted approximation)."""
    res = []
    for m in (real_torch, ak):
        m.manual_seed(3)
        a = m.tensor([0.2, 0.9, 1.0, 3.5, 12.0, 60.0], dtype=m.float64, requires_grad=True)
        b = m.tensor([1.0, 2.0, 0.5, 1.5, 1.0, 4.0], dtype=m.float64, requires_grad=True)
        x = m.distributions.Gamma(a, b).rsample((4,))
        ga, gb = m.autograd.grad(x.sum(), (a, b))
        res.append((x.detach().numpy(), ga.numpy(), gb.numpy()))
    (tx, tga, tgb), (kx, kga, kgb) = res
    assert np.array_equal(kx, tx)
    np.testing.assert_allclose(kga, tga, rtol=2e-3)
    np.testing.assert_allclose(kgb, tgb, rtol=1e-12)


def test_register_kl_dispatches_to_the_most_specific_pair():
    D = ak.distributions

    class MyNormal(D.Normal):
        pass

    try:
        @D.register_kl(MyNormal, D.Normal)
        def _kl(p, q):
            return ak.tensor(42.0)

        assert D.kl_divergence(MyNormal(0., 1.), D.Normal(0., 1.)).item() == 42.0
        assert D.kl_divergence(D.Normal(0., 1.), MyNormal(0., 2.)).item() == pytest.approx(0.3181471805599453)
    finally:
        D.kl._KL_REGISTRY.pop((MyNormal, D.Normal), None)
        D.kl._KL_MEMOIZE.clear()
