TITLE = "00_start_here"
CELLS = [
    ("md", """# Learning how gradients work

Welcome! In this course you will see **how a computer computes derivatives** — the engine behind every
neural network — by running small pieces of code and looking at what they print.

We use `autograd_kit`, a small library that speaks **PyTorch's language**. Every notebook starts with

```python
import autograd_kit as torch
```

and from then on the code is exactly the code you would write with PyTorch. What you learn here carries
over to PyTorch one to one."""),
    ("md", """## How to use a notebook

* A notebook is made of **cells**. Click a code cell and press **Shift + Enter** to run it; its output
  appears below it.
* Run the cells **from top to bottom**: later cells use what earlier cells created.
* If something looks odd, use **Kernel → Restart Kernel and Run All Cells**.
* You can change any code and run it again — that is the best way to learn."""),
    ("code", """import autograd_kit as torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 2
y.backward()
print("x =", x.item(), " y = x² =", y.item(), " dy/dx =", x.grad.item())"""),
    ("md", """If this printed `dy/dx = 4.0`, everything works: the derivative of x² is 2x, and 2 · 2 = 4.

## The course

| notebook | what you learn |
|---|---|
| [01_tensor_basics](01_tensor_basics.ipynb) | tensors: creating them, dtypes, shapes, indexing, arithmetic, broadcasting, random numbers |
| [02_gradients](02_gradients.ipynb) | gradients: `requires_grad`, the computational graph, `backward()` and `.grad`, `no_grad` |
| [03_linear_regression](03_linear_regression.ipynb) | fitting a line by gradient descent, by hand and with an optimizer |
| [04_neural_networks](04_neural_networks.ipynb) | `nn.Module`, layers, a training loop, XOR, a small classifier |
| [05_inside_backward](05_inside_backward.ipynb) | the chain rule step by step, watched with a widget; checking gradients numerically |
| [06_convolutional_networks](06_convolutional_networks.ipynb) | convolution and pooling layers, a CNN trained on handwritten digits, the gradient of a convolution |

## Exercises

Each section has an exercise notebook in [`exercises/release/`](../exercises/release/):
[01](../exercises/release/01_tensor_basics.ipynb), [02](../exercises/release/02_gradients.ipynb),
[03](../exercises/release/03_linear_regression.ipynb), [04](../exercises/release/04_neural_networks.ipynb),
[05](../exercises/release/05_inside_backward.ipynb),
[06](../exercises/release/06_convolutional_networks.ipynb). Fill in the cells marked `raise NotImplementedError`,
then run the check cell under each: it tells you at once whether your answer is right, and if not, a hint
about what to look at. Your teacher grades the hidden tests later."""),
]
