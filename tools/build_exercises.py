"""Write the instructor source notebooks (exercises/source/) from the definitions below, then release the
student versions (exercises/release/) with `autograd-kit release`.

    python tools/build_exercises.py

A question is (id, points, prompt, solution, tests): the solution goes between ### BEGIN/END SOLUTION,
the tests cell holds the public check and the hidden tests between ### BEGIN/END HIDDEN TESTS.
"""
import pathlib
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
SETUP = """import math
import autograd_kit as torch
from autograd_kit import nn, optim
from autograd_kit.grading import checker
check = checker("{name}")"""

EXERCISES = {
    "01_tensor_basics": ("Tensor basics", "M = torch.arange(12).reshape(3, 4).float()", [
        ("q1", 1, "Make `t`: a float tensor of shape (2, 3) filled with 7.0.",
         "t = torch.full((2, 3), 7.0)",
         "from autograd_kit.grading.checks import expect_close\nexpect_close('t', t.sum(), 42.0)"),
        ("q2", 1, "Set `col` to the second column of `M` (a 1-D tensor).",
         "col = M[:, 1]",
         "assert tuple(col.shape) == (3,)\nassert col.tolist() == [1.0, 5.0, 9.0]"),
        ("q3", 1, "With `A = torch.ones(3, 1)` and `B = torch.arange(4.)`, set `broadcast_sum = A + B`.",
         "A = torch.ones(3, 1)\nB = torch.arange(4.)\nbroadcast_sum = A + B",
         "assert broadcast_sum[2].tolist() == [1.0, 2.0, 3.0, 4.0]"),
        ("q4", 2, "Set `row_means` to the mean of each row of `M`, keeping a column shape (3, 1).",
         "row_means = M.mean(dim=1, keepdim=True)",
         "assert tuple(row_means.shape) == (3, 1)\nassert row_means.flatten().tolist() == [1.5, 5.5, 9.5]"),
    ]),
    "02_gradients": ("Gradients", "", [
        ("q1", 1, "For $f(x) = 3x^2 + 2x$, work out $f'(4)$ **by hand** and store it in `grad_by_hand` (a number).",
         "grad_by_hand = 6 * 4 + 2",
         "assert abs(grad_by_hand - 26) < 1e-9"),
        ("q2", 2, "Now let autograd do it: make `x = torch.tensor(4.0, requires_grad=True)`, compute $f(x)$, "
                  "call `backward()` and store `x.grad` in `grad_autograd`.",
         "x = torch.tensor(4.0, requires_grad=True)\ny = 3 * x**2 + 2 * x\ny.backward()\ngrad_autograd = x.grad",
         "assert x.is_leaf and abs(grad_autograd.item() - 26.0) < 1e-5"),
        ("q3", 1, "Predict without running it: after\n```python\nx = torch.tensor(3.0, requires_grad=True)\n"
                  "(x**2).backward()\n(x**2).backward()\n```\nwhat is `x.grad`? Store the number in `predicted`.",
         "predicted = 12.0",
         "assert predicted == 12.0"),
        ("q4", 2, "Write `h(x)` returning a single number whose gradient is `2 * x + 1` for any 1-D tensor `x`.",
         "def h(x):\n    return (x**2 + x).sum()",
         "_x = torch.tensor([3.0, -2.0], requires_grad=True)\nh(_x).backward()\n"
         "assert _x.grad.tolist() == [7.0, -3.0]"),
    ]),
    "03_linear_regression": ("Linear regression", "X = torch.tensor([0.5, 0.9, 1.4, 1.8])\nY = torch.tensor([2.0, 3.8, 5.0, 7.2])", [
        ("q1", 1, "Write `predict(a, b, X)` returning the line's predictions $aX + b$.",
         "def predict(a, b, X):\n    return a * X + b",
         "assert predict(torch.tensor(0.0), torch.tensor(3.0), X).tolist() == [3.0] * 4"),
        ("q2", 1, "Write `mse(pred, Y)`: the mean squared error.",
         "def mse(pred, Y):\n    return ((pred - Y) ** 2).mean()",
         "assert abs(mse(torch.zeros(4), Y).item() - 23.82) < 1e-4"),
        ("q3", 2, "Write `gd_step(a, b, lr)`: one gradient-descent update of the leaf tensors `a` and `b` "
                  "(their `.grad` is already computed), then zero their gradients.",
         "def gd_step(a, b, lr):\n    with torch.no_grad():\n        a -= lr * a.grad\n        b -= lr * b.grad\n"
         "    a.grad.zero_()\n    b.grad.zero_()",
         "_a = torch.tensor(2.0, requires_grad=True); _b = torch.tensor(1.0, requires_grad=True)\n"
         "mse(predict(_a, _b, X), Y).backward()\n_ga = _a.grad.item()\ngd_step(_a, _b, 0.5)\n"
         "assert abs(_a.item() - (2.0 - 0.5 * _ga)) < 1e-5 and _a.grad.item() == 0.0"),
        ("q4", 2, "This training loop never zeroes the gradients, so they pile up. Fix it and train; store the "
                  "fitted values in `a_fit` and `b_fit`.\n```python\nfor epoch in range(300):\n"
                  "    loss = mse(predict(a, b, X), Y)\n    loss.backward()\n    optimizer.step()\n```",
         "a = torch.tensor(0.0, requires_grad=True)\nb = torch.tensor(0.0, requires_grad=True)\n"
         "optimizer = optim.SGD([a, b], lr=0.1)\nfor epoch in range(300):\n    optimizer.zero_grad()\n"
         "    loss = mse(predict(a, b, X), Y)\n    loss.backward()\n    optimizer.step()\na_fit, b_fit = a.item(), b.item()",
         "assert abs(a_fit - 3.7938) < 0.02 and abs(b_fit - 0.1371) < 0.03"),
    ]),
    "04_neural_networks": ("Neural networks", "X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])\nY = torch.tensor([[0.], [1.], [1.], [0.]])", [
        ("q1", 1, "Build `model`: `Linear(2, 8)`, then `Tanh`, then `Linear(8, 1)`, in an `nn.Sequential`.",
         "model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))",
         "assert isinstance(model[1], nn.Tanh) and model(X).shape == (4, 1)"),
        ("q2", 1, "Write `count_params(module)`: the total number of numbers in its parameters.",
         "def count_params(module):\n    return sum(p.numel() for p in module.parameters())",
         "assert count_params(nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 1))) == 19"),
        ("q3", 3, "Train `xor_model` (any architecture) on `X`, `Y` until its MSE loss is below 0.05.",
         "torch.manual_seed(1)\nxor_model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid())\n"
         "opt = optim.Adam(xor_model.parameters(), lr=0.05)\nfor step in range(600):\n    opt.zero_grad()\n"
         "    loss = nn.functional.mse_loss(xor_model(X), Y)\n    loss.backward()\n    opt.step()",
         "with torch.no_grad():\n    _out = xor_model(X)\nassert ((_out > 0.5).float() == Y).all()"),
        ("q4", 1, "Write `accuracy(logits, targets)`: the fraction of rows whose largest logit is the target class, as a float.",
         "def accuracy(logits, targets):\n    return (logits.argmax(dim=1) == targets).float().mean().item()",
         "assert abs(accuracy(torch.eye(3), torch.tensor([0, 1, 0])) - 2 / 3) < 1e-6"),
    ]),
    "05_inside_backward": ("Inside the backward pass", "", [
        ("q1", 1, "For $y = a·b$ at $a = 3$, $b = 4$: what is $\\partial y/\\partial a$? Store it in `dy_da`.",
         "dy_da = 4.0",
         "assert dy_da == 4.0"),
        ("q2", 1, "For $z = (2x + 1)^2$ at $x = 1$: use the chain rule to find $dz/dx$; store it in `dz_dx`.",
         "dz_dx = 2 * (2 * 1 + 1) * 2",
         "assert dz_dx == 12"),
        ("q3", 1, "For $y = x·x + 3x$ at $x = 2$: `x` is used twice. What lands in `x.grad`? Store it in `grad_twice`.",
         "grad_twice = 2 * 2 + 3",
         "assert grad_twice == 7"),
        ("q4", 2, "Write `numeric_grad(f, x, eps=1e-6)`: the central-difference estimate of $f'(x)$ for a Python function of one number.",
         "def numeric_grad(f, x, eps=1e-6):\n    return (f(x + eps) - f(x - eps)) / (2 * eps)",
         "assert abs(numeric_grad(lambda v: v**3, 2.0) - 12.0) < 1e-4"),
    ]),
    "06_convolutional_networks": ("Convolutional networks", "F = nn.functional", [
        ("q1", 1, "`nn.Conv2d(3, 8, kernel_size=5)` gets a batch of shape (4, 3, 32, 32). Work out the output shape "
                  "**without running it** and store it as a tuple in `conv_shape`.",
         "conv_shape = (4, 8, 28, 28)",
         "assert tuple(conv_shape) == tuple(nn.Conv2d(3, 8, kernel_size=5)(torch.zeros(4, 3, 32, 32)).shape)"),
        ("q2", 1, "How many numbers does `nn.Conv2d(3, 8, kernel_size=5)` learn (weights and biases)? "
                  "Store it in `n_params`.",
         "n_params = 8 * 3 * 5 * 5 + 8",
         "assert n_params == sum(p.numel() for p in nn.Conv2d(3, 8, kernel_size=5).parameters())"),
        ("q3", 2, "Write `conv_at(image, kernel, i, j)`: the output at row `i`, column `j` of a convolution (stride 1, "
                  "no padding) of a 2-D `image` by a 2-D `kernel`: the patch under the kernel times the kernel, summed.",
         "def conv_at(image, kernel, i, j):\n    kh, kw = kernel.shape\n    return (image[i:i + kh, j:j + kw] * kernel).sum()",
         "_img = torch.arange(30.).reshape(5, 6) % 7\n_k = torch.tensor([[1., -2.], [0.5, 3.], [2., 1.]])\n"
         "_ref = F.conv2d(_img[None, None], _k[None, None])[0, 0]\n"
         "assert all(abs(float(conv_at(_img, _k, i, j)) - _ref[i, j].item()) < 1e-4 for i in range(3) for j in range(5))"),
        ("q4", 2, "Build `cnn`: an `nn.Sequential` that takes images of shape (N, 1, 8, 8) to 10 scores each, with at "
                  "least one `nn.Conv2d` and one `nn.MaxPool2d`.",
         "cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),\n"
         "                    nn.Linear(4 * 4 * 4, 10))",
         "_out = cnn(torch.randn(3, 1, 8, 8))\nassert tuple(_out.shape) == (3, 10)\n"
         "_conv = [m for m in cnn.modules() if isinstance(m, nn.Conv2d)][0]\ncnn.zero_grad()\n_out.sum().backward()\n"
         "assert _conv.weight.grad is not None and _conv.weight.grad.abs().sum().item() > 0"),
    ]),
}


def meta(grade_id, *, solution=False, grade=False, locked=False, points=0):
    return {"nbgrader": {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked,
                         "points": points, "schema_version": 3}}


def source_notebook(name, title, given, questions):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["autograd_kit"] = {"exercise": name}
    cells = [nbformat.v4.new_markdown_cell(
        f"# Exercise: {title}\n\nFill in each answer cell (replace `raise NotImplementedError()`), then run the "
        "`check(...)` cell below it: it tells you at once whether your answer passes the public checks. "
        "Your teacher also runs hidden tests.", metadata=meta("intro", locked=True))]
    setup = SETUP.format(name=name) + (f"\n\n{given}" if given else "")
    cells.append(nbformat.v4.new_code_cell(setup, metadata=meta("setup", locked=True)))
    for qid, points, prompt, solution, hidden in questions:
        cells.append(nbformat.v4.new_markdown_cell(f"**{qid}** ({points} point{'s' if points > 1 else ''}). {prompt}",
                                                   metadata=meta(f"{qid}_prompt", locked=True)))
        cells.append(nbformat.v4.new_code_cell(f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION",
                                               metadata=meta(qid, solution=True)))
        cells.append(nbformat.v4.new_code_cell(
            f'check("{qid}")\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS',
            metadata=meta(f"{qid}_tests", grade=True, locked=True, points=points)))
    nb.cells = cells
    for i, c in enumerate(nb.cells):
        c["id"] = f"{name[:2]}-{i:02d}"
    return nb


def main():
    out = ROOT / "exercises" / "source"
    out.mkdir(parents=True, exist_ok=True)
    for name, (title, given, questions) in EXERCISES.items():
        nbformat.write(source_notebook(name, title, given, questions), out / f"{name}.ipynb")
    sys.path.insert(0, str(ROOT))
    from autograd_kit.grading.release import release
    written = release(sorted(out.glob("*.ipynb")), ROOT / "exercises" / "release")
    print("\n".join(str(p.relative_to(ROOT)) for p in written))


if __name__ == "__main__":
    main()
