"""Public checks a student runs in the notebook: ``check = checker("02_gradients"); check("q1")``.

Each check looks at the student's variables and either prints a pass line or raises ``CheckFailed`` with
a hint the student can act on. Only public checks live here (this module ships to students); hidden tests
live in the instructor's source notebooks. The helpers below are also what hidden tests use.
"""
import math
import sys

import numpy as np


class CheckFailed(AssertionError):
    """A check that did not pass; the message is the hint.

    It is raised (so a grader, this kit's or nbgrader's, sees the cell fail), but Jupyter shows it as one
    red line with the hint instead of a traceback: IPython uses ``_render_traceback_`` when present."""

    def _render_traceback_(self):
        return [f"\x1b[31m✘ {self}\x1b[0m"]


def _values(x):
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        return np.asarray(x.detach().numpy(), dtype=np.float64)
    return np.asarray(x, dtype=np.float64)


def expect_close(name, value, expected, *, rtol=1e-4, atol=1e-5):
    """``value`` (tensor or number) matches ``expected``; hints for shape, doubling, sign and None."""
    if value is None:
        raise CheckFailed(f"{name} is None: did you call backward() (or assign {name}) yet?")
    try:
        got = _values(value)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} should be a number or a tensor, not {type(value).__name__}") from None
    want = _values(expected)
    if got.shape != want.shape and got.size != want.size:
        raise CheckFailed(f"your {name} has shape {tuple(got.shape)} but it should have shape {tuple(want.shape)}")
    if got.shape != want.shape:
        raise CheckFailed(f"your {name} has shape {tuple(got.shape)} but it should have shape {tuple(want.shape)}: "
                          "the numbers are there, check reshape/unsqueeze/keepdim")
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return
    if np.any(want != 0) and np.allclose(got, 2 * want, rtol=rtol, atol=atol):
        raise CheckFailed(f"{name} is twice the expected value: did you forget to zero the gradient "
                          "(grad.zero_() / optimizer.zero_grad()) between two backward calls?")
    if np.any(want != 0) and np.allclose(got, -want, rtol=rtol, atol=atol):
        raise CheckFailed(f"{name} has the right size but the wrong sign")
    raise CheckFailed(f"{name} is not right yet (got {np.array2string(got, precision=4)})")


def expect_true(condition, hint):
    if not condition:
        raise CheckFailed(hint)


def expect_defined(ns, *names):
    for n in names:
        if n not in ns:
            raise CheckFailed(f"`{n}` is not defined yet: run your answer cell first")
    return [ns[n] for n in names]


def expect_tensor(name, value, dtype=None):
    import autograd_kit as torch
    if not isinstance(value, torch.Tensor):
        raise CheckFailed(f"{name} should be a tensor (torch.tensor(...)), not {type(value).__name__}")
    if dtype is not None and value.dtype != dtype:
        raise CheckFailed(f"{name} has dtype {value.dtype} but should have {dtype}")


# ---- public checks, per exercise ------------------------------------------------------------------
def _ex01(q, ns):
    import autograd_kit as torch
    if q == "q1":
        (t,) = expect_defined(ns, "t")
        expect_tensor("t", t, torch.float32)
        expect_close("t", t, np.full((2, 3), 7.0))
    elif q == "q2":
        col, M = expect_defined(ns, "col", "M")
        expect_tensor("col", col)
        expect_close("col", col, M.numpy()[:, 1])
    elif q == "q3":
        (s,) = expect_defined(ns, "broadcast_sum")
        expect_tensor("broadcast_sum", s)
        expect_true(tuple(s.shape) == (3, 4), f"broadcast_sum has shape {tuple(s.shape)}; (3, 1) + (4,) broadcasts to (3, 4)")
    elif q == "q4":
        means, M = expect_defined(ns, "row_means", "M")
        expect_close("row_means", means, M.numpy().mean(axis=1, keepdims=True))
    else:
        raise KeyError(q)


def _ex02(q, ns):
    import autograd_kit as torch
    if q == "q1":
        (g,) = expect_defined(ns, "grad_by_hand")
        expect_true(isinstance(g, (int, float)), "grad_by_hand should be a plain number you worked out")
        expect_true(not math.isclose(g, 3 * 4**2 + 2 * 4), "that is f(4), the value; the question asks for f'(4)")
    elif q == "q2":
        x, g = expect_defined(ns, "x", "grad_autograd")
        expect_tensor("x", x)
        expect_true(x.requires_grad, "x needs requires_grad=True, or backward() cannot reach it")
        expect_close("grad_autograd", g, 26.0)
    elif q == "q3":
        (p,) = expect_defined(ns, "predicted")
        expect_true(isinstance(p, (int, float)), "predicted should be a plain number")
        expect_true(not math.isclose(p, 6.0), "6.0 is the gradient of one backward call; what does the second add?")
    elif q == "q4":
        (h,) = expect_defined(ns, "h")
        x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
        out = h(x)
        expect_true(isinstance(out, torch.Tensor) and out.numel() == 1, "h(x) should return a single number (a 0-d tensor)")
        out.backward()
        expect_close("the gradient of h", x.grad, 2 * x.detach().numpy() + 1)
    else:
        raise KeyError(q)


def _ex03(q, ns):
    import autograd_kit as torch
    X = torch.tensor([0.5, 0.9, 1.4, 1.8])
    Y = torch.tensor([2.0, 3.8, 5.0, 7.2])
    if q == "q1":
        (predict,) = expect_defined(ns, "predict")
        expect_close("predict(2.0, 1.0, X)", predict(torch.tensor(2.0), torch.tensor(1.0), X), 2 * X.numpy() + 1)
    elif q == "q2":
        (mse,) = expect_defined(ns, "mse")
        expect_close("mse(X, Y)", mse(X, Y), ((X.numpy() - Y.numpy()) ** 2).mean())
    elif q == "q3":
        (gd_step,) = expect_defined(ns, "gd_step")
        a = torch.tensor(1.0, requires_grad=True)
        b = torch.tensor(0.0, requires_grad=True)
        ((a * X + b - Y) ** 2).mean().backward()
        ga, gb = a.grad.item(), b.grad.item()
        gd_step(a, b, 0.1)
        expect_close("a after one step", a, 1.0 - 0.1 * ga)
        expect_close("b after one step", b, 0.0 - 0.1 * gb)
        expect_true(a.grad is None or a.grad.item() == 0.0, "gd_step should zero the gradients after the update")
        expect_true(a.is_leaf and a.requires_grad, "update a in place under torch.no_grad(), so it stays a leaf")
    elif q == "q4":
        a_fit, b_fit = expect_defined(ns, "a_fit", "b_fit")
        expect_close("a_fit", a_fit, 3.7938, rtol=1e-2, atol=2e-2)
    else:
        raise KeyError(q)


def _ex04(q, ns):
    import autograd_kit as torch
    if q == "q1":
        (model,) = expect_defined(ns, "model")
        shapes = [tuple(p.shape) for p in model.parameters()]
        expect_true(shapes == [(8, 2), (8,), (1, 8), (1,)],
                    f"model's parameter shapes are {shapes}; expected Linear(2, 8), then Linear(8, 1)")
    elif q == "q2":
        (count,) = expect_defined(ns, "count_params")
        expect_true(count(torch.nn.Linear(3, 2)) == 8, "Linear(3, 2) has a 2×3 weight and 2 biases: 8 numbers")
    elif q == "q3":
        xor_model, X, Y = expect_defined(ns, "xor_model", "X", "Y")
        with torch.no_grad():
            loss = torch.nn.functional.mse_loss(xor_model(X), Y).item()
        expect_true(loss < 0.05, f"the XOR loss is {loss:.4f}; train longer, raise the learning rate, or check zero_grad()")
    elif q == "q4":
        (accuracy,) = expect_defined(ns, "accuracy")
        logits = torch.tensor([[2.0, 0.1], [0.3, 0.9], [1.5, 1.4]])
        expect_close("accuracy(logits, [0, 1, 1])", accuracy(logits, torch.tensor([0, 1, 1])), 2 / 3)
    else:
        raise KeyError(q)


def _ex05(q, ns):
    if q == "q1":
        (d,) = expect_defined(ns, "dy_da")
        expect_true(not math.isclose(d, 3.0), "∂(a·b)/∂a is b, not a")
    elif q == "q2":
        (d,) = expect_defined(ns, "dz_dx")
        expect_true(not math.isclose(d, 6.0), "close: you have the outer derivative 2(2x+1); multiply by the inner one")
    elif q == "q3":
        (g,) = expect_defined(ns, "grad_twice")
        expect_true(not math.isclose(g, 4.0), "x is used in both terms: add the contributions (2x from x·x, and 3)")
    elif q == "q4":
        (numeric_grad,) = expect_defined(ns, "numeric_grad")
        expect_close("numeric_grad(math.sin, 1.0)", numeric_grad(math.sin, 1.0), math.cos(1.0), rtol=1e-4)
    else:
        raise KeyError(q)


def _ex06(q, ns):
    import autograd_kit as torch
    if q == "q1":
        (shape,) = expect_defined(ns, "conv_shape")
        expect_true(len(tuple(shape)) == 4, "an image batch has 4 dims: (batch, channels, height, width)")
        expect_true(tuple(shape)[:2] == (4, 8), "the batch stays 4 and the channels become out_channels (8)")
        expect_true(tuple(shape)[2:] != (32, 32), "without padding the image shrinks: a 5-wide kernel fits in 32 - 5 + 1 "
                                                  "positions")
    elif q == "q2":
        (n,) = expect_defined(ns, "n_params")
        expect_true(n != 8 * 5 * 5 + 8, "each of the 8 kernels spans all 3 input channels: 3×5×5 weights per kernel")
        expect_true(n != 8 * 3 * 5 * 5, "don't forget the biases: one per output channel")
    elif q == "q3":
        (conv_at,) = expect_defined(ns, "conv_at")
        image = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]])
        kernel = torch.tensor([[1.0, -1.0], [0.0, 2.0]])
        expect_close("conv_at(image, kernel, 0, 0)", conv_at(image, kernel, 0, 0), 1.0)
        expect_close("conv_at(image, kernel, 0, 1)", conv_at(image, kernel, 0, 1), 8.0)
    elif q == "q4":
        (cnn,) = expect_defined(ns, "cnn")
        kinds = {type(m).__name__ for m in cnn.modules()}
        expect_true({"Conv2d", "MaxPool2d"} <= kinds, f"cnn has {sorted(kinds)}: it needs an nn.Conv2d and an nn.MaxPool2d")
        shape = tuple(cnn(torch.zeros(5, 1, 8, 8)).shape)
        expect_true(shape == (5, 10), f"cnn turns 5 images into shape {shape}; expected (5, 10): nn.Flatten() before "
                                      "the last nn.Linear, whose in_features is channels × height × width")
    else:
        raise KeyError(q)


CHECKS = {"01_tensor_basics": _ex01, "02_gradients": _ex02, "03_linear_regression": _ex03,
          "04_neural_networks": _ex04, "05_inside_backward": _ex05,
          "06_convolutional_networks": _ex06}


def checker(exercise):
    """The ``check`` function of one exercise notebook."""
    run = CHECKS[exercise]

    def check(question):
        ns = sys._getframe(1).f_globals  # the notebook's variables
        try:
            run(question, ns)
        except CheckFailed as e:
            raise CheckFailed(f"{question}: {e}") from None
        except KeyError:
            raise
        except NotImplementedError:
            raise CheckFailed(f"{question}: not answered yet (replace `raise NotImplementedError()`)") from None
        except Exception as e:  # noqa: BLE001 - the student's code failed inside the check
            raise CheckFailed(f"{question}: your code raised {type(e).__name__}: {e}") from None
        print(f"✔ {question} passed the public checks")

    return check
