# Gaussian-process regression from scratch (the idiom of GP tutorials: an RBF kernel, the Cholesky factor,
# triangular solves for the posterior mean and variance, and the log marginal likelihood as a
# MultivariateNormal log_prob, maximised over the kernel's hyper-parameters with Adam).
import math
import torch
from torch.distributions import MultivariateNormal

torch.manual_seed(1)
X = torch.linspace(0, 5, 12, dtype=torch.float64).unsqueeze(-1)
y = torch.sin(X).squeeze(-1) + 0.1 * torch.randn(12, dtype=torch.float64)
Xs = torch.linspace(0, 5, 6, dtype=torch.float64).unsqueeze(-1)


def rbf(a, b, lengthscale, variance):
    d2 = (a - b.T) ** 2
    return variance * torch.exp(-0.5 * d2 / lengthscale ** 2)


log_l = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
log_v = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
log_noise = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)
opt = torch.optim.Adam([log_l, log_v, log_noise], lr=0.05)

for step in range(1, 101):
    opt.zero_grad()
    K = rbf(X, X, log_l.exp(), log_v.exp()) + log_noise.exp() * torch.eye(12, dtype=torch.float64)
    mll = MultivariateNormal(torch.zeros(12, dtype=torch.float64), covariance_matrix=K).log_prob(y)
    loss = -mll
    loss.backward()
    opt.step()
    if step % 20 == 0:
        print(f"step {step}: loss {loss.item():.6f} lengthscale {log_l.exp().item():.4f} noise {log_noise.exp().item():.5f}")

with torch.no_grad():
    K = rbf(X, X, log_l.exp(), log_v.exp()) + log_noise.exp() * torch.eye(12, dtype=torch.float64)
    L = torch.linalg.cholesky(K)
    alpha = torch.linalg.solve_triangular(L.T, torch.linalg.solve_triangular(L, y.unsqueeze(-1), upper=False), upper=True)
    Ks = rbf(Xs, X, log_l.exp(), log_v.exp())
    mean = (Ks @ alpha).squeeze(-1)
    v = torch.linalg.solve_triangular(L, Ks.T, upper=False)
    var = log_v.exp() - (v ** 2).sum(0)
    print("mean", mean)
    print("std ", var.sqrt())
    print("same as solve:", torch.allclose(mean, Ks @ torch.linalg.solve(K, y)))
    print("logdet", torch.logdet(K), 2 * torch.log(torch.diagonal(L)).sum())
