TITLE = "01_tensor_basics"
CELLS = [
    ("md", """# 1. Tensor basics

A **tensor** is a grid of numbers: a single number (0 dimensions), a list (1 dimension), a table
(2 dimensions), and so on. Everything in deep learning — inputs, weights, gradients — is a tensor."""),
    ("code", """import autograd_kit as torch"""),
    ("md", "## Creating tensors"),
    ("code", """a = torch.tensor(3.5)                 # a single number: 0 dimensions
v = torch.tensor([1.0, 2.0, 3.0])     # a vector
m = torch.tensor([[1, 2, 3], [4, 5, 6]])  # a matrix of whole numbers
print(a)
print(v)
print(m)"""),
    ("code", """print(torch.zeros(2, 3))
print(torch.ones(3))
print(torch.arange(5))
print(torch.linspace(0, 1, 5))
print(torch.eye(2))"""),
    ("md", """## dtypes: what kind of numbers

Decimal numbers are stored as `float32` by default, whole numbers as `int64`. Only floating-point tensors
can have gradients, so most of this course uses floats."""),
    ("code", """print(v.dtype, m.dtype)
print(m.float())
print(torch.tensor([1.5, 2.5], dtype=torch.float64))
print(torch.tensor([1, 2, 3]) / 2)   # dividing whole numbers gives floats"""),
    ("md", "## Shapes"),
    ("code", """print(m.shape)        # 2 rows, 3 columns
print(m.dim(), m.numel())
print(v.shape, a.shape)"""),
    ("md", """## Indexing and slicing

It works like Python lists and NumPy: `m[row, column]`, with `:` for "everything"."""),
    ("code", """print(m[0])         # first row
print(m[:, 1])      # second column
print(m[1, 2])      # one element: still a tensor
print(m[1, 2].item())  # .item() turns a one-element tensor into a Python number
print(v[v > 1.5])   # a boolean mask picks elements"""),
    ("md", "## Arithmetic is elementwise"),
    ("code", """x = torch.tensor([1.0, 2.0, 3.0])
y = torch.tensor([10.0, 20.0, 30.0])
print(x + y)
print(x * y)
print(x ** 2)
print(x @ y)        # the dot product: 1·10 + 2·20 + 3·30
print(x.sum(), x.mean())"""),
    ("md", """## Broadcasting

When shapes differ, the smaller tensor is **stretched** along the missing or size-1 dimensions. A
`(2, 3)` table plus a `(3,)` row adds the row to every line of the table."""),
    ("code", """table = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
row = torch.tensor([10.0, 20.0, 30.0])
col = torch.tensor([[100.0], [200.0]])
print(table + row)
print(table + col)"""),
    ("md", "Shapes that cannot be lined up give an error that names both shapes:"),
    ("code", """try:
    table + torch.tensor([1.0, 2.0])
except RuntimeError as e:
    print("RuntimeError:", e)"""),
    ("md", "## Reshaping"),
    ("code", """t = torch.arange(6)
print(t.reshape(2, 3))
print(t.reshape(3, -1))     # -1: "work this size out for me"
print(t.reshape(2, 3).T)    # transpose
print(t.unsqueeze(0).shape, t.reshape(2, 3).flatten())"""),
    ("md", """## Random numbers with a seed

Random numbers are used to start the weights of a network. Setting a **seed** makes them the same every
time you run the notebook, and autograd_kit draws exactly PyTorch's numbers: the same seed prints the
same values in both."""),
    ("code", """torch.manual_seed(0)
print(torch.rand(3))
torch.manual_seed(0)
print(torch.rand(3))      # the same numbers again
print(torch.randn(2, 2))"""),
    ("md", "Next: [02_gradients](02_gradients.ipynb), where tensors learn to compute their own derivatives."),
]
