TITLE = "03_linear_regression"
CELLS = [
    ("md", """# 3. Linear regression by gradient descent

We have four measurements and want the line $\\hat y = a·X + b$ that fits them best. "Best" means a small
**mean squared error** (MSE) between predictions and targets. Gradient descent finds $a$ and $b$ by
repeatedly stepping against the gradient of the loss."""),
    ("code", """import autograd_kit as torch
from autograd_kit import nn, optim
import matplotlib.pyplot as plt

X = torch.tensor([0.5, 0.9, 1.4, 1.8])
Y = torch.tensor([2.0, 3.8, 5.0, 7.2])"""),
    ("md", """## By hand

1. predict, 2. compute the loss, 3. `backward()`, 4. step against the gradient **inside `no_grad`**
(the update itself must not be recorded), 5. reset the gradients with `grad.zero_()`."""),
    ("code", """a = torch.tensor(0.0, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
lr = 0.1
losses = []
for epoch in range(200):
    pred = a * X + b
    loss = ((pred - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        a -= lr * a.grad
        b -= lr * b.grad
    a.grad.zero_()
    b.grad.zero_()
    losses.append(loss.item())
    if epoch % 40 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}  a {a.item():.4f}  b {b.item():.4f}")
print(f"final: a = {a.item():.4f}, b = {b.item():.4f}, loss = {losses[-1]:.4f}")"""),
    ("md", "The loss falls quickly, then flattens out as the line settles:"),
    ("code", """fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.plot(losses)
ax1.set_xlabel("epoch"); ax1.set_ylabel("MSE loss"); ax1.set_title("loss curve")
ax2.scatter(X.numpy(), Y.numpy(), label="data")
xs = torch.linspace(0.3, 2.0, 20)
ax2.plot(xs.numpy(), (a * xs + b).detach().numpy(), color="C1", label=f"{a.item():.2f}·X + {b.item():.2f}")
ax2.legend(); ax2.set_title("fitted line")
plt.tight_layout()
plt.show()"""),
    ("md", """## The same with `nn.MSELoss` and `optim.SGD`

PyTorch packages steps 2, 4 and 5: the loss function computes the MSE, the optimizer does the update
under `no_grad` and resets the gradients."""),
    ("code", """a = torch.tensor(0.0, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
loss_fn = nn.MSELoss()
optimizer = optim.SGD([a, b], lr=0.1)
for epoch in range(200):
    optimizer.zero_grad()
    loss = loss_fn(a * X + b, Y)
    loss.backward()
    optimizer.step()
print(f"a = {a.item():.4f}, b = {b.item():.4f}, loss = {loss.item():.4f}")"""),
    ("md", """Same numbers as by hand: the optimizer does exactly what our loop did.

**Try it:** change `lr` to 0.5 or 0.01. What happens to the loss curve?

Next: [04_neural_networks](04_neural_networks.ipynb)."""),
]
