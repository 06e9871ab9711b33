TITLE = "05_inside_backward"
CELLS = [
    ("md", """# 5. Inside the backward pass

`backward()` is the **chain rule**, applied once per node of the graph, from the output back to the inputs.
Each node multiplies the gradient arriving from above (**upstream**) by its own **local derivative** and
passes the result down to its inputs."""),
    ("code", """import autograd_kit as torch
from autograd_kit import nn"""),
    ("md", """## The chain rule on our polynomial

$y = 5x^3 + 2x^2 + 4x + 8$. By hand: $\\frac{dy}{dx} = 15x^2 + 4x + 4$. The graph does it piece by piece:
the `+` nodes pass the gradient through unchanged, the `*` by 5 multiplies it by 5, the power node
multiplies by $3x^2$ — and the three paths that reach $x$ are **added up**."""),
    ("code", """x = torch.tensor(2.0, requires_grad=True)
y = 5 * x**3 + 2 * x**2 + 4 * x + 8
y.backward()
by_hand = 15 * 2.0**2 + 4 * 2.0 + 4
print("autograd:", x.grad.item(), " by hand:", by_hand)
print("the three paths:", 5 * 3 * 2.0**2, "+", 2 * 2 * 2.0, "+", 4.0)"""),
    ("md", """## Watching the graph being recorded

PyTorch's graph is **dynamic**: it is not declared in advance but recorded while the code runs, one node
per operation. `step_forward(f, x)` runs `f(x)` and replays it op by op: each step shows the operation
that ran, its inputs and output, and the node (`grad_fn`) it added to the graph."""),
    ("code", """from autograd_kit.viz import step_backward, step_forward
x = torch.tensor(2.0, requires_grad=True)
x.label = "x"

def poly(x):
    return 5 * x**3 + 2 * x**2 + 4 * x + 8

forward = step_forward(poly, x)
forward""", ["kit-only"]),
    ("md", """## Watching backward run

`step_backward(y)` records the real backward pass (the very walk `backward()` runs) and lets you step
through it, on the same drawing: the current node is highlighted (done nodes turn green), and the panel
shows the gradient flowing in (`g`), the local rule each node applies with its numbers, and what it sends
to each input. Press **Next** or **Play**.
(It leaves `.grad` untouched, so you can still call `backward()` yourself afterwards.)"""),
    ("code", """y = forward.output   # the y that step_forward recorded: 5x³ + 2x² + 4x + 8
step_backward(y)""", ["kit-only"]),
    ("md", """## A tensor used twice: gradients add up

In $y = x·w + x·x$, `x` feeds three places. Each sends its own contribution, and they are summed before
they land in `x.grad`: $\\frac{\\partial y}{\\partial x} = w + 2x$."""),
    ("code", """x = torch.tensor(3.0, requires_grad=True)
w = torch.tensor(2.0, requires_grad=True)
y = x * w + x * x
y.backward()
print("x.grad =", x.grad.item(), " (w + 2x =", 2.0 + 2 * 3.0, ")")
print("w.grad =", w.grad.item(), " (x =", 3.0, ")")"""),
    ("md", """With `values=True` the stepper draws each tensor as a card `{ name | data | grad }` (as micrograd
does): the grads fill in as the walk reaches them, and the edges carrying the current step's
contributions are highlighted. Watch `x.grad` receive three contributions."""),
    ("code", """x = torch.tensor(3.0, requires_grad=True); x.label = "x"
w = torch.tensor(2.0, requires_grad=True); w.label = "w"
step_backward(x * w + x * x, values=True)""", ["kit-only"]),
    ("md", """## A small network, node by node

The same walk through a network: `AddmmBackward0` is a linear layer ($x W^T + b$ in one node),
`TBackward0` the transpose of its weight, `TanhBackward0` the activation."""),
    ("code", """net = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
with torch.no_grad():
    net[0].weight.copy_(torch.tensor([[0.5, -0.3], [0.8, 0.2]]))
    net[0].bias.copy_(torch.tensor([0.1, -0.1]))
    net[2].weight.copy_(torch.tensor([[1.0, -1.5]]))
    net[2].bias.copy_(torch.tensor([0.2]))
inputs = torch.tensor([[1.0, 2.0]])
loss = (net(inputs) - 1.0).pow(2).mean()
print("loss:", round(loss.item(), 6))"""),
    ("code", """# the order backward will visit the nodes in (the kit's walk, shared with the widget below)
print([fn.name() for fn in torch.autograd.graph.topological_nodes(loss)][:6])""", ["kit-only"]),
    ("md", """`torch::autograd::AccumulateGrad` is how PyTorch prints the node at a **leaf** (a tensor you
created, such as a weight): it adds the gradient that reaches it into the leaf's `.grad`. The drawings
call it `AccumulateGrad`, under the leaf's box. With tensors, each step below shows every number (up to
16 per tensor): the matrix products of `AddmmBackward0` (`g @ bᵀ`, `aᵀ @ g`), the sum over the batch for
the bias, `1 − tanh²` element by element."""),
    ("code", """step_backward(loss)""", ["kit-only"]),
    ("code", """loss = (net(inputs) - 1.0).pow(2).mean()
loss.backward()
print("first layer weight.grad:")
print(net[0].weight.grad)"""),
    ("md", """## Checking gradients numerically

A derivative is a limit: $f'(x) \\approx \\frac{f(x+\\varepsilon) - f(x-\\varepsilon)}{2\\varepsilon}$.
`torch.autograd.gradcheck` compares the backward pass with this estimate for every input element
(use float64: with float32 the estimate itself is too noisy)."""),
    ("code", """def f(x):
    return (x.sin() * x ** 2).sum()

x = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
print("gradcheck:", torch.autograd.gradcheck(f, (x,)))

eps = 1e-6
x0 = x.detach()
numeric = [(f(x0 + eps * torch.eye(3, dtype=torch.float64)[i]) - f(x0 - eps * torch.eye(3, dtype=torch.float64)[i])).item() / (2 * eps)
           for i in range(3)]
f(x).backward()
print("numeric :", [round(v, 6) for v in numeric])
print("autograd:", [round(v, 6) for v in x.grad.tolist()])"""),
    ("md", """That's the whole machine: a recorded graph, one local derivative per node, the chain rule, and sums
where paths meet. Practise with the exercises: [05_inside_backward](../exercises/release/05_inside_backward.ipynb)
(and the others in [`exercises/release/`](../exercises/release/))."""),
]
