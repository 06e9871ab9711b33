# d2l.ai 2.4 Calculus: the numerical limit of the derivative (the plots are left out).
import numpy as np
import torch


def f(x):
    return 3 * x ** 2 - 4 * x


for h in 10.0**np.arange(-1, -6, -1):
    print(f'h={h:.5f}, numerical limit={(f(1+h)-f(1))/h:.5f}')

# the same limit on a tensor, and the derivative from autograd
x = torch.tensor(1.0, requires_grad=True)
y = f(x)
y.backward()
print(x.grad)
x = torch.arange(0, 3, 0.5)
print(f(x), 6 * x - 4)
