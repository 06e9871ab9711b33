# d2l.ai 4.3 (2nd ed.) Concise Implementation of Multilayer Perceptrons (PyTorch version), synthetic data.
import numpy as np
import torch
from torch import nn
from torch.utils import data

torch.manual_seed(0)
rng = np.random.default_rng(6)
centers = rng.normal(0, 1, (10, 784)).astype(np.float32)
labels = rng.integers(0, 10, 400)
images = (centers[labels] + rng.normal(0, 2, (400, 784))).astype(np.float32).reshape(400, 1, 28, 28)
train_iter = data.DataLoader(data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels)), 50,
                             shuffle=True)

net = nn.Sequential(nn.Flatten(),
                    nn.Linear(784, 256),
                    nn.ReLU(),
                    nn.Linear(256, 10))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)

batch_size, lr, num_epochs = 50, 0.1, 5
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=lr)
print(net)
for epoch in range(num_epochs):
    total, n = 0.0, 0
    for X, y in train_iter:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
        total += float(l.sum())
        n += y.numel()
    print(f'epoch {epoch + 1}, loss {total / n:.4f}')
