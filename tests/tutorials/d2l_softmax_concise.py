# d2l.ai 3.7 (2nd ed.) Concise Implementation of Softmax Regression (PyTorch version), synthetic data.
import numpy as np
import torch
from torch import nn
from torch.utils import data

torch.manual_seed(0)


def load_data_fashion_mnist(batch_size):
    rng = np.random.default_rng(4)
    centers = rng.normal(0, 1, (10, 784)).astype(np.float32)
    y = rng.integers(0, 10, 600)
    X = (centers[y] + rng.normal(0, 2, (600, 784))).astype(np.float32).reshape(600, 1, 28, 28)
    train = data.TensorDataset(torch.from_numpy(X[:500]), torch.from_numpy(y[:500]))
    test = data.TensorDataset(torch.from_numpy(X[500:]), torch.from_numpy(y[500:]))
    return (data.DataLoader(train, batch_size, shuffle=True, num_workers=4),
            data.DataLoader(test, batch_size, shuffle=False, num_workers=4))


batch_size = 50
train_iter, test_iter = load_data_fashion_mnist(batch_size)

# PyTorch不会隐式地调整输入的形状。因此，
# 我们在线性层前定义了展平层（flatten），来调整网络输入的形状
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)

loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=0.1)

num_epochs = 5
for epoch in range(num_epochs):
    net.train()
    total, correct, n = 0.0, 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
        total += float(l.sum())
        correct += float((y_hat.argmax(axis=1).type(y.dtype) == y).type(y.dtype).sum())
        n += y.numel()
    net.eval()
    with torch.no_grad():
        acc = sum(float((net(X).argmax(1) == y).sum()) for X, y in test_iter) / 100
    print(f'epoch {epoch + 1}: loss {total / n:.4f}, train acc {correct / n:.3f}, test acc {acc:.3f}')
