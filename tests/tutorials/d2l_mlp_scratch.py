# d2l.ai 4.2 (2nd ed.) Implementation of Multilayer Perceptrons from Scratch (PyTorch version), synthetic data.
import numpy as np
import torch
from torch import nn
from torch.utils import data

torch.manual_seed(0)
rng = np.random.default_rng(5)
centers = rng.normal(0, 1, (10, 784)).astype(np.float32)
labels = rng.integers(0, 10, 400)
images = (centers[labels] + rng.normal(0, 2, (400, 784))).astype(np.float32).reshape(400, 1, 28, 28)
train_iter = data.DataLoader(data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels)), 50,
                             shuffle=True)

num_inputs, num_outputs, num_hiddens = 784, 10, 256

W1 = nn.Parameter(torch.randn(
    num_inputs, num_hiddens, requires_grad=True) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = nn.Parameter(torch.randn(
    num_hiddens, num_outputs, requires_grad=True) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))

params = [W1, b1, W2, b2]


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X@W1 + b1)  # 这里“@”代表矩阵乘法
    return (H@W2 + b2)


loss = nn.CrossEntropyLoss(reduction='none')

num_epochs, lr = 5, 0.1
updater = torch.optim.SGD(params, lr=lr)
for epoch in range(num_epochs):
    total, n = 0.0, 0
    for X, y in train_iter:
        l = loss(net(X), y)
        updater.zero_grad()
        l.mean().backward()
        updater.step()
        total += float(l.sum())
        n += y.numel()
    print(f'epoch {epoch + 1}, loss {total / n:.4f}')
print(W1.shape, type(W1).__name__, W1.requires_grad, W1.is_leaf)
