"""The tutorial corpus (``tests/tutorials/*.py``): real code from PyTorch's tutorials, d2l, micrograd and
makemore, each run on PyTorch 2.13 and on the kit (imports rewritten, nothing else).

Every script must run on the kit and keep its structure (the same output with every number masked). Scripts
in ``EXACT`` must print exactly what PyTorch prints, numbers included (seeded random numbers are PyTorch's).
The others are the unseeded ones, whose numbers differ between two PyTorch runs too; where PyTorch's loss
falls, the kit's must too.
``python tools/tutorial_corpus.py`` prints the tally."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent / "tutorials"))
from _run import SCRIPTS, losses, masked, run_script  # noqa: E402

# Scripts that print PyTorch's output to the last digit, seeded random numbers included: every script but two.
# Their float32 arithmetic rounds as PyTorch's CPU kernels do (MKL's matmul and VML functions, PyTorch's
# summation order, its Sleef-based softmax/sigmoid/loss kernels, fused multiply-adds in optimizer steps).
# Not held to it: makemore_mlp draws its minibatches from PyTorch's default generator without seeding it
# (PyTorch seeds that randomly per process, so PyTorch itself prints different losses from run to run), and
# micrograd_engine_tests, whose reference side varies between runs too.
UNSEEDED = {"makemore_mlp.py", "micrograd_engine_tests.py"}
EXACT = set(SCRIPTS) - UNSEEDED


def run(backend, name, tmp_path):
    cwd = tmp_path / backend
    cwd.mkdir(exist_ok=True)
    return run_script(backend, name, cwd)


@pytest.mark.parametrize("name", SCRIPTS)
def test_script(name, tmp_path):
    rc_t, out_t, err_t = run("torch", name, tmp_path)
    assert rc_t == 0, f"{name} fails on PyTorch:\n{err_t[-2000:]}"
    rc_k, out_k, err_k = run("kit", name, tmp_path)
    assert rc_k == 0, f"{name} fails on the kit:\n{err_k[-3000:]}"
    if name in EXACT:
        assert out_k == out_t
        return
    assert masked(out_k) == masked(out_t), "the output's structure differs"
    lk, lt = losses(out_k), losses(out_t)
    assert len(lk) == len(lt)
    if len(lk) >= 2 and lt[-1] < lt[0]:
        assert lk[-1] < lk[0], f"the loss does not fall on the kit: {lk[0]} -> {lk[-1]}"


def test_corpus_is_big_enough():
    assert len(SCRIPTS) >= 40 and UNSEEDED <= set(SCRIPTS) and len(EXACT) == len(SCRIPTS) - 2
