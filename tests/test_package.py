"""The package: PyTorch's module paths, and a core that needs only NumPy."""
import importlib
import subprocess
import sys

import pytest


@pytest.mark.parametrize("path", ["autograd_kit", "autograd_kit.nn", "autograd_kit.nn.functional",
                                  "autograd_kit.nn.init", "autograd_kit.optim", "autograd_kit.autograd"])
def test_module_paths_mirror_pytorch(path):
    mod = importlib.import_module(path)
    assert mod.__name__ == path


def test_aliasing_torch_reaches_every_submodule():
    import autograd_kit as torch
    assert torch.nn.functional.relu(torch.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]
    assert torch.nn.init.zeros_(torch.empty(2)).tolist() == [0.0, 0.0]
    assert torch.optim.SGD and torch.autograd.grad and torch.nn.Linear
    from autograd_kit import nn, optim  # noqa: F401  (the usual course imports)


def test_core_import_needs_only_numpy():
    code = ("import sys, autograd_kit as t; t.tensor(1.0, requires_grad=True).exp().backward(); "
            "heavy = [m for m in ('graphviz', 'ipywidgets', 'anywidget', 'IPython', 'nbformat', 'matplotlib', 'torch') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
