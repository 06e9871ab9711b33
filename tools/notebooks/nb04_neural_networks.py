TITLE = "04_neural_networks"
CELLS = [
    ("md", """# 4. Neural networks

A neural network is layers of "multiply by weights, add a bias, bend with an activation". PyTorch
organises this with `nn.Module`; an **optimizer** updates all the weights from their gradients."""),
    ("code", """import sys
import numpy as np
import matplotlib.pyplot as plt
from tqdm.auto import tqdm

import autograd_kit as torch
from autograd_kit import nn, optim"""),
    ("md", """## `nn.Module` and `nn.Linear`

A module keeps its layers as attributes and says in `forward` how data flows through them.
`nn.Linear(2, 4)` holds a weight of shape (4, 2) and a bias of shape (4,)."""),
    ("code", """class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 4)
        self.out = nn.Linear(4, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(torch.sigmoid(self.hidden(x))))

net = TinyNet()
print(net)
for name, p in net.named_parameters():
    print(f"{name:15s} {tuple(p.shape)}")"""),
    ("md", """The same network, written with `nn.Sequential`, and the activation functions as layers:"""),
    ("code", """model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
print(model)
z = torch.tensor([-2.0, 0.0, 2.0])
print("relu   ", nn.ReLU()(z))
print("sigmoid", nn.Sigmoid()(z))
print("tanh   ", nn.Tanh()(z))"""),
    ("md", """## XOR: the classic problem a single line cannot solve

XOR is 1 when exactly one input is 1. No straight line separates the 1s from the 0s, so we need a hidden
layer. As in PyTorch's own tutorials, `torch.manual_seed(0)` fixes the random starting weights, so every
run gives the same numbers, and they are the numbers PyTorch itself prints for this code."""),
    ("code", """X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])

def make_model(seed=0):
    torch.manual_seed(seed)  # the same random starting weights on every run
    return nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())

def train(model, lr, steps=2000):
    optimizer = optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    history = []
    for step in range(steps):
        optimizer.zero_grad()          # forget the last step's gradients
        loss = loss_fn(model(X), Y)    # forward pass
        loss.backward()                # gradients of the loss for every weight
        optimizer.step()               # move every weight a little downhill
        history.append(loss.item())
    return history"""),
    ("md", """### Stuck at 0.25

If a network predicts 0.5 for every input, the MSE against targets 0, 1, 1, 0 is exactly
$(0.5)^2 = 0.25$. Two ways to get stuck there:

1. **All weights start equal** (here: zero). Then every hidden unit computes the same thing and gets the
   same gradient — they stay identical forever, and identical units cannot build XOR.
2. **A learning rate that is too small**: near the start, the sigmoid output sits around 0.5 where the
   gradients are tiny, so the loss lingers on a long flat *plateau* near 0.25."""),
    ("code", """stuck = make_model()
with torch.no_grad():
    for p in stuck.parameters():
        p.zero_()                      # every weight and bias starts at 0
h1 = train(stuck, lr=1.0)
print(f"zero start, lr=1.0:   loss {h1[-1]:.4f}  predictions {stuck(X).detach().flatten().tolist()}")

slow = make_model()
h2 = train(slow, lr=0.1)
print(f"random start, lr=0.1: loss {h2[-1]:.4f}  predictions {[round(v, 3) for v in slow(X).detach().flatten().tolist()]}")"""),
    ("md", """### Getting out

Break the symmetry (different starting weights) **and** take bigger steps. The loss stays on the plateau
for a while, then falls off it:"""),
    ("code", """good = make_model()
h3 = train(good, lr=2.0)
print(f"random start, lr=2.0: loss {h3[-1]:.5f}")
print("predictions:", [round(v, 3) for v in good(X).detach().flatten().tolist()])"""),
    ("code", """plt.figure(figsize=(6, 3.2))
plt.plot(h1, label="all-zero start")
plt.plot(h2, label="lr = 0.1")
plt.plot(h3, label="lr = 2.0")
plt.axhline(0.25, color="grey", linestyle=":")
plt.xlabel("step"); plt.ylabel("MSE loss"); plt.legend(); plt.title("XOR: the 0.25 plateau")
plt.show()"""),
    ("md", """Other ways out: more hidden units, or a loss that does not flatten with the sigmoid
(`nn.BCELoss`, or `nn.BCEWithLogitsLoss` without the last sigmoid).

### Looking at the first layer's gradients after training

After training, one more backward pass shows how much each first-layer weight would still like to move:
tiny numbers for the trained network, which sits at the bottom of its valley."""),
    ("code", """for name, model in [("trained", good), ("stuck", stuck)]:
    model.zero_grad()
    nn.MSELoss()(model(X), Y).backward()
    print(name, "first layer weight.grad:")
    print(model[0].weight.grad)"""),
    ("md", """The stuck network's gradients are exactly zero: its output weights are all zero, so no signal reaches
the first layer at all — and even if it did, four identical hidden units would get identical updates.

## A small classifier with cross-entropy

Three clouds of points, three classes. The last layer gives one score per class (**logits**);
`nn.CrossEntropyLoss` turns them into probabilities with a softmax and compares with the true class."""),
    ("code", """rng = np.random.RandomState(0)
centers = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
points = np.concatenate([c + 0.7 * rng.randn(60, 2) for c in centers]).astype(np.float32)
labels = np.repeat(np.arange(3), 60)
inputs, targets = torch.tensor(points), torch.tensor(labels)
print(inputs.shape, targets.shape, targets[:5], targets[-5:])"""),
    ("code", """torch.manual_seed(0)
classifier = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
optimizer = optim.Adam(classifier.parameters(), lr=0.05)
loss_fn = nn.CrossEntropyLoss()
history = []
for epoch in tqdm(range(150), desc="training", file=sys.stdout):
    optimizer.zero_grad()
    loss = loss_fn(classifier(inputs), targets)
    loss.backward()
    optimizer.step()
    history.append(loss.item())
accuracy = (classifier(inputs).argmax(dim=1) == targets).float().mean()
print(f"final loss {history[-1]:.4f}, accuracy {accuracy.item():.1%}")""", ["no-compare"]),
    ("code", """xs, ys = torch.meshgrid(torch.linspace(-4, 4, 120), torch.linspace(-4, 5, 120), indexing="xy")
grid = torch.stack([xs.flatten(), ys.flatten()], dim=1)
with torch.no_grad():
    regions = classifier(grid).argmax(dim=1).reshape(xs.shape)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
ax1.plot(history); ax1.set_xlabel("epoch"); ax1.set_ylabel("cross-entropy"); ax1.set_title("loss")
ax2.contourf(xs.numpy(), ys.numpy(), regions.numpy(), alpha=0.3, levels=[-0.5, 0.5, 1.5, 2.5], colors=["C0", "C1", "C2"])
ax2.scatter(points[:, 0], points[:, 1], c=[f"C{k}" for k in labels], s=10)
ax2.set_title("decision regions")
plt.tight_layout()
plt.show()""", ["no-compare"]),
    ("md", "Next: [05_inside_backward](05_inside_backward.ipynb): what `backward()` actually does, node by node."),
]
