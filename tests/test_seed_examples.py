"""The course's seed examples, printed exactly as PyTorch prints them."""
import autograd_kit as torch


def test_polynomial_value_and_gradient():
    x = torch.tensor(2.0, requires_grad=True)
    y = 5 * x**3 + 2 * x**2 + 4 * x + 8
    assert y.item() == 64.0
    y.backward()
    assert x.grad.item() == 72.0
    assert repr(x) == "tensor(2., requires_grad=True)"
    assert repr(y) == "tensor(64., grad_fn=<AddBackward0>)"
    assert f"Function output: {y.item()}" == "Function output: 64.0"
    assert f"Gradient of x: {x.grad.item()}" == "Gradient of x: 72.0"


def test_square_at_three():
    x = torch.tensor([3.0], requires_grad=True)
    y = x**2
    y.backward()
    assert str(x.grad) == "tensor([6.])"


def test_sum_of_squares():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    torch.sum(x**2).backward()
    assert str(x.grad) == "tensor([2., 4., 6.])"
