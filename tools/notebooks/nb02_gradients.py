TITLE = "02_gradients"
CELLS = [
    ("md", """# 2. Gradients

A **gradient** collects the partial derivatives of a result with respect to each input: how much the
result changes when one input is nudged a little. Training a network means following gradients downhill,
so the library computes them for us — this is called **automatic differentiation** (autograd)."""),
    ("code", """import autograd_kit as torch"""),
    ("md", """## Enabling gradient tracking

`requires_grad=True` tells the library: *remember every operation done with this tensor*, so that
derivatives with respect to it can be computed later."""),
    ("code", """x = torch.tensor(2.0, requires_grad=True)
print(x)"""),
    ("md", """## The computational graph

Let's compute $y = 5x^3 + 2x^2 + 4x + 8$ at $x = 2$. While computing, the library records a **graph**:
one node per operation, linked to the values it used."""),
    ("code", """y = 5 * x**3 + 2 * x**2 + 4 * x + 8
print("Function output:", y.item())
print(y)"""),
    ("md", """`grad_fn=<AddBackward0>` says: *y was made by an addition, and here is how to go backwards through it*.
Each node points to the nodes it came from (`None` where an input was a plain number, here the `8`):"""),
    ("code", """print(y.grad_fn.name())
print([fn.name() if fn is not None else None for fn, _ in y.grad_fn.next_functions])"""),
    ("md", """Here is the whole graph, drawn (blue: the input x, green: the output y, grey: the operations).
`AccumulateGrad` under x is the node PyTorch prints as `torch::autograd::AccumulateGrad` (in the
`next_functions` of the operations that use x): it adds the gradient that reaches x into `x.grad`."""),
    ("code", """from autograd_kit.viz import make_dot, draw_dot
y.label = "y"
make_dot(y, params={"x": x})""", ["kit-only"]),
    ("md", """## `backward()` and `.grad`

`y.backward()` walks the graph from y back to x, applying the chain rule at every node, and stores
$\\frac{dy}{dx}$ in `x.grad`. By hand: $\\frac{dy}{dx} = 15x^2 + 4x + 4 = 15·4 + 8 + 4 = 72$."""),
    ("code", """y.backward()
print("Gradient of x:", x.grad.item())"""),
    ("md", "The same graph, now with values and gradients (a `—` means no gradient is stored there):"),
    ("code", """x.label, y.label = "x", "y"
draw_dot(y)""", ["kit-only"]),
    ("md", "## Two small examples\n\nThe derivative of $x^2$ at 3 is $2 · 3 = 6$:"),
    ("code", """x = torch.tensor([3.0], requires_grad=True)
y = x ** 2
y.backward()
print(x.grad)"""),
    ("md", """With several inputs, `backward()` needs one number at the top, so we add up: $\\sum x_i^2$ has
gradient $2x_i$ for each input."""),
    ("code", """x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
torch.sum(x ** 2).backward()
print(x.grad)"""),
    ("md", "Calling `backward()` on a tensor with several values (without summing first) is an error:"),
    ("code", """try:
    (x ** 2).backward()
except RuntimeError as e:
    print("RuntimeError:", e)"""),
    ("md", """## Gradients accumulate

Each `backward()` **adds** to `.grad`; it does not replace it. That is why training loops reset the
gradients with `grad.zero_()` (or `optimizer.zero_grad()`) before each step."""),
    ("code", """x = torch.tensor(2.0, requires_grad=True)
for i in range(3):
    y = x ** 2
    y.backward()
    print(f"after backward #{i + 1}: x.grad = {x.grad.item()}")
x.grad.zero_()
print("after zero_():", x.grad)"""),
    ("md", """## Turning tracking off: `no_grad` and `detach`

Inside `with torch.no_grad():` nothing is recorded — we use it to update weights. `detach()` gives a
tensor with the same values that is cut off from the graph."""),
    ("code", """x = torch.tensor(2.0, requires_grad=True)
with torch.no_grad():
    z = x * 3
print(z, z.requires_grad)
d = (x * 3).detach()
print(d, d.requires_grad, d.grad_fn)"""),
    ("md", "Next: [03_linear_regression](03_linear_regression.ipynb): using gradients to fit a line."),
]
