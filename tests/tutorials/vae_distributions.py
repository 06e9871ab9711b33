# A VAE's reparameterisation with torch.distributions (the idiom of pytorch/examples vae/main.py written with
# Normal.rsample and kl_divergence, as in many VAE tutorials), trained on a tiny synthetic binary dataset.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Normal, Bernoulli, Independent, kl_divergence

torch.manual_seed(0)
data = (torch.rand(64, 12) < torch.linspace(0.1, 0.9, 12)).float()


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 16)
        self.fc21 = nn.Linear(16, 2)
        self.fc22 = nn.Linear(16, 2)
        self.fc3 = nn.Linear(2, 16)
        self.fc4 = nn.Linear(16, 12)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def decode(self, z):
        return self.fc4(F.relu(self.fc3(z)))

    def forward(self, x):
        mu, logvar = self.encode(x)
        q = Normal(mu, torch.exp(0.5 * logvar))
        z = q.rsample()
        return self.decode(z), q


model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
prior = Normal(torch.zeros(2), torch.ones(2))
print(prior, prior.batch_shape, prior.event_shape)

for epoch in range(1, 31):
    optimizer.zero_grad()
    logits, q = model(data)
    recon = -Independent(Bernoulli(logits=logits), 1).log_prob(data).sum()
    kl = kl_divergence(q, prior).sum()
    loss = (recon + kl) / len(data)
    loss.backward()
    optimizer.step()
    if epoch % 5 == 0:
        print(f"epoch {epoch}: loss {loss.item():.4f} recon {recon.item():.3f} kl {kl.item():.3f}")

with torch.no_grad():
    z = prior.sample((3,))
    print(z)
    print(torch.sigmoid(model.decode(z)).round())
