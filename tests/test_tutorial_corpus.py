"""The tutorial corpus (``tests/tutorials/*.py``): real code from PyTorch's tutorials, d2l, micrograd and
makemore, each run on PyTorch 2.13 and on the kit (imports rewritten, nothing else).

Every script must run on the kit and keep its structure (the same output with every number masked). Scripts
in ``EXACT`` must print exactly what PyTorch prints, numbers included (seeded random numbers are PyTorch's).
The others print float32 results whose last bits differ, mostly after many training steps (float32 sums,
matmuls and exp/tanh are NumPy's kernels, not bit-identical to PyTorch's); where PyTorch's loss falls, the
kit's must too.
``python tools/tutorial_corpus.py`` prints the tally."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent / "tutorials"))
from _run import SCRIPTS, losses, masked, run_script  # noqa: E402

# scripts whose output matches PyTorch's to the last digit, seeded random numbers included (micrograd_engine_tests
# also does, but its own reference side varies between runs). makemore_batchnorm matched by chance while its
# batch-norm sums were NumPy's; with PyTorch's order they are exact but it now waits on cross_entropy's
# backward and tanh (issue #11).
EXACT = {
    "basics_autograd.py", "basics_buildmodel.py", "basics_data.py", "basics_saveload.py", "basics_tensors.py",
    "blitz_autograd.py", "blitz_tensors.py", "d2l_autograd.py", "d2l_calculus.py", "d2l_custom_layer.py",
    "d2l_dropout.py", "d2l_linear_algebra.py", "d2l_linreg_concise.py", "d2l_mlp_concise.py",
    "d2l_mlp_scratch.py", "d2l_model_construction.py", "d2l_parameters.py", "d2l_read_write.py",
    "d2l_softmax_concise.py", "d2l_softmax_scratch.py", "d2l_use_gpu.py", "examples_numpy.py",
    "makemore_bigram_counts.py", "micrograd_torch_check.py", "yunjey_basics.py",
    "yunjey_feedforward.py", "yunjey_linear_regression.py", "yunjey_logistic_regression.py",
    # since the MKL back end (PyTorch's matmul and tanh/exp bits):
    "d2l_linreg_scratch.py", "d2l_ndarray.py", "d2l_polynomial.py", "makemore_backprop_ninja.py",
    # makemore_batchnorm.py: waits for PyTorch's summation order (its batch mean(0) rounds differently)
    "vae_distributions.py", "gp_regression.py",
}


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
    assert len(SCRIPTS) >= 40 and EXACT <= set(SCRIPTS)
