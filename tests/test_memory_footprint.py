"""What keeps the kit's resident memory down (issue #14's RSS row; ``bench/bench_memory.py`` prints the figures),
held without timing anything: ``import autograd_kit`` leaves numpy.random, subprocess and importlib.metadata
unimported until they are needed; MKL is loaded as its layers, with its buffers going back to malloc; large
uniform fills are drawn in pieces. Every value stays PyTorch's, bit for bit."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import autograd_kit as ak


def run(code):
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_import_leaves_heavy_modules_for_later():
    out = run("import sys\n"
              "import autograd_kit as t\n"
              "late = ('numpy.random', 'subprocess', 'ctypes.util', 'importlib.metadata', 'tempfile')\n"
              "print([m for m in late if m in sys.modules])\n"
              "t.manual_seed(3)\n"
              "r = t.rand(3)\n"
              "print('numpy.random' in sys.modules, r.tolist())\n"
              "print(t.distributions.Normal(0, 1).sample().item(), t.special.erf(t.tensor(1.)).item(),\n"
              "      t.linalg.inv(t.eye(2)).tolist(), t.save is not None, t.optim.lr_scheduler.StepLR.__name__)\n")
    first, second, third = out.splitlines()
    assert first == "[]"
    torch.manual_seed(3)
    assert second == f"True {torch.rand(3).tolist()}"
    assert third.endswith(f"{torch.special.erf(torch.tensor(1.)).item()} [[1.0, 0.0], [0.0, 1.0]] True StepLR")


def test_a_generator_seeded_before_its_first_draw_has_pytorchs_state():
    """The engine (NumPy's MT19937) is made at the first draw or state read; the seed given before it counts."""
    out = run("import sys, autograd_kit as t\n"
              "g = t.Generator().manual_seed(2**40 + 9)\n"
              "assert 'numpy.random' not in sys.modules\n"
              "print(g.get_state().tolist() == list(__import__('torch').Generator().manual_seed(2**40 + 9)"
              ".get_state().tolist()))\n")
    assert out.strip() == "True"
    g, tg = ak.Generator().manual_seed(11), torch.Generator().manual_seed(11)
    assert np.array_equal(ak.rand(5, generator=g).numpy(), torch.rand(5, generator=tg).numpy())
    try:
        g.no_such_attribute
    except AttributeError as e:
        assert "no_such_attribute" in str(e)
    else:
        raise AssertionError("an unknown attribute must raise AttributeError")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [65535, 65536, 65537, 2 * 65536 + 7, 1024 * 784 + 3])
def test_large_uniform_fills_are_pytorchs(n, dtype):
    """uniform_ draws large fills in pieces of 65,536 values: same values, same stream position after."""
    for seed in (0, 7, 2**33 + 1):
        torch.manual_seed(seed)
        ak.manual_seed(seed)
        want = [torch.empty(n, dtype=getattr(torch, dtype)).uniform_(-0.0312, 0.0312),
                torch.rand(n, dtype=getattr(torch, dtype)), torch.rand(3, dtype=getattr(torch, dtype))]
        got = [ak.empty(n, dtype=getattr(ak, dtype)).uniform_(-0.0312, 0.0312),
               ak.rand(n, dtype=getattr(ak, dtype)), ak.rand(3, dtype=getattr(ak, dtype))]
        for w, g in zip(want, got):
            w, g = w.numpy(), g.numpy()
            assert w.dtype == g.dtype and np.array_equal(w.view(np.uint8), g.view(np.uint8)), (seed, n, dtype)


def test_big_linear_layers_start_as_pytorchs():
    torch.manual_seed(0)
    ak.manual_seed(0)
    want = [p.detach().numpy() for s in ((784, 1024), (1024, 1024), (1024, 10)) for p in torch.nn.Linear(*s).parameters()]
    got = [p.detach().numpy() for s in ((784, 1024), (1024, 1024), (1024, 10)) for p in ak.nn.Linear(*s).parameters()]
    for w, g in zip(want, got):
        assert np.array_equal(w, g)


def test_mkl_is_loaded_as_its_layers_without_its_memory_manager():
    """The core, GNU-thread and LP64 layers the libmkl_rt dispatcher would pick, loaded directly; MKL's own
    allocator is off, so no MKL buffer stays allocated after a product."""
    folder = os.path.join(sys.prefix, "lib")
    if not os.path.exists(os.path.join(folder, "libmkl_intel_lp64.so.2")):
        pytest.fail("the mkl wheel (the 'exact' extra) must be installed for the tests")
    out = run("import ctypes, autograd_kit as t\n"
              "from autograd_kit.backends import mkl\n"
              "lib = mkl._get()\n"
              "x = t.randn(300, 500)\n"
              "(x @ x.T).exp()\n"
              "n = ctypes.c_int(-1)\n"
              "lib.MKL_Mem_Stat.restype = ctypes.c_int64\n"
              "print(lib._name.rsplit('/', 1)[-1], lib.MKL_Mem_Stat(ctypes.byref(n)), n.value)\n"
              "maps = open('/proc/self/maps').read()\n"
              "print('libmkl_rt' in maps, 'libmkl_gnu_thread' in maps)\n")
    assert out.splitlines() == ["libmkl_intel_lp64.so.2 0 0", "False True"]
