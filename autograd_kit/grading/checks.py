"""Check helpers for the test cells of exercise notebooks: ``expect_answer``, ``expect_close``, ``expect_true``,
``expect_tensor``.

They are plain Python over values, so a test cell gives the same verdict wherever it runs: in the student's
kernel (the instant feedback of the released notebook, ``autograd-kit check``, nbgrader) and in the trusted
grader (``autograd-kit grade``), which runs the test cells outside the student's interpreter with the
student's variables fetched as data. A failed check raises ``CheckFailed`` (an ``AssertionError``) whose
message is a hint the student can act on.

Fixed answers are never written in a released notebook: ``expect_answer`` compares the student's value with
a *key*, salted hashes of the normalized answer and of its typical mistakes (twice it, its negation, half
of it, the author's own mistakes), written into the source by ``autograd-kit release`` from the instructor's
solution (``keys.py``). Answers computed from inputs are recomputed in the check (``expect_close``).
"""
import numpy as np

from . import keys

__all__ = ["CheckFailed", "expect_answer", "expect_close", "expect_true", "expect_tensor"]

AUTO_HINTS = {  # what the automatic mistakes of a key mean; {name} is the variable's name
    "double": "{name} is twice the expected value: did you forget to zero the gradient (grad.zero_() / "
              "optimizer.zero_grad()) between two backward calls, or count a term twice?",
    "neg": "{name} has the right size but the wrong sign",
    "half": "{name} is half the expected value: is a factor 2 missing (the 2 in d(x²)/dx = 2x)?",
    "order": "{name} has the right items in the wrong order",
    "case": "{name} is almost right: check upper and lower case",
}


class CheckFailed(AssertionError):
    """A check that did not pass; the message is the hint.

    It is raised (so a grader, this kit's or nbgrader's, sees the cell fail), but Jupyter shows it as one
    red line with the hint instead of a traceback: IPython uses ``_render_traceback_`` when present."""

    def _render_traceback_(self):
        return [f"\x1b[31m✘ {self}\x1b[0m"]


def _passed(name):
    print(f"✔ {name} looks right")


def _mistake_items(mistakes):
    if mistakes is None:
        return []
    return list(mistakes.items()) if isinstance(mistakes, dict) else [tuple(m) for m in mistakes]


def expect_answer(name, value, key=None, *, mistakes=None, tol=1e-3):
    """``value`` is the fixed answer sealed in ``key`` (a number, an array or tensor, a string, a list of
    strings or a nested list). ``mistakes``: ``{wrong value or function of the answer: hint}``, checked
    before the automatic hints (twice, negated, half, wrong order, wrong case). ``tol``: absolute tolerance
    for numbers. ``autograd-kit release`` writes ``key`` from the solution; a source never released has
    none and fails here."""
    items = _mistake_items(mistakes)
    if keys.sealing():  # `autograd-kit release` runs the solution: record the key, nothing to check
        keys.record(keys.make(value, [m for m, _ in items], tol=tol, old=key), depth=2)
        return
    if not key:
        raise CheckFailed(f"the check of {name} has no key yet: the instructor runs `autograd-kit release` "
                          "on the source notebook to write it")
    if value is None:
        raise CheckFailed(f"{name} is None: did you call backward() on a result of a tensor made with "
                          f"requires_grad=True (or assign {name}) yet?")
    verdict = keys.match(value, key)
    if verdict.kind_error:
        raise CheckFailed(f"{name} should be {verdict.kind_error}, not {type(value).__name__}")
    if verdict.tag == "ok":
        return _passed(name)
    if verdict.tag is not None and verdict.tag.startswith("m"):
        raise CheckFailed(f"{name}: {items[int(verdict.tag[1:])][1]}")
    if verdict.tag in AUTO_HINTS:
        raise CheckFailed(AUTO_HINTS[verdict.tag].format(name=name))
    if verdict.shape_error:
        raise CheckFailed(f"{name} {verdict.shape_error}")
    raise CheckFailed(f"{name} is not right yet (got {keys.show(value)})")


def _array(name, value):
    if value is None:
        raise CheckFailed(f"{name} is None: did you call backward() (or assign {name}) yet?")
    try:
        return keys.numeric(value)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} should be a number or a tensor, not {type(value).__name__}") from None


def _shape_hint(name, got, want):
    if got.size == want.size:
        return (f"your {name} has shape {tuple(got.shape)} but it should have shape {tuple(want.shape)}: "
                "the numbers may be there, check reshape/unsqueeze/keepdim")
    return f"your {name} has shape {tuple(got.shape)} but it should have shape {tuple(want.shape)}"


def expect_close(name, value, expected, *, rtol=1e-4, atol=1e-5, mistakes=None):
    """``value`` (tensor, array or number) matches ``expected`` (computed in the check, e.g. from the
    student's own inputs). Hints: None, not a number, both shapes, the author's ``mistakes`` (``[(wrong
    value, hint), ...]``), twice, negated, half."""
    got, want = _array(name, value), keys.numeric(expected)
    if want.shape == () and got.size == 1:
        got = got.reshape(())

    def close(a, b):
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))

    if close(got, want):
        return _passed(name)
    for wrong, hint in _mistake_items(mistakes):
        if close(got, keys.numeric(wrong)):
            raise CheckFailed(f"{name}: {hint}")
    if got.shape != want.shape:
        raise CheckFailed(_shape_hint(name, got, want))
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(want)):
        raise CheckFailed(f"{name} contains nan or inf (got {keys.show(got)}): did the computation blow up?")
    if np.any(want != 0):
        for tag, factor in (("double", 2.0), ("neg", -1.0), ("half", 0.5)):
            if close(got, factor * want):
                raise CheckFailed(AUTO_HINTS[tag].format(name=name))
    raise CheckFailed(f"{name} is not right yet (got {keys.show(got)})")


def expect_true(condition, hint):
    """Fail with ``hint`` unless ``condition``."""
    if not condition:
        raise CheckFailed(hint)


def expect_tensor(name, value, *, dtype=None, shape=None, requires_grad=None, hint=None):
    """``value`` is an autograd_kit tensor, with the given dtype, shape and requires_grad if given;
    ``hint`` is added to a wrong-dtype message."""
    if value is None:
        raise CheckFailed(f"{name} is None: assign it in your answer cell")
    if not (hasattr(value, "detach") and hasattr(value, "requires_grad") and hasattr(value, "dtype")):
        raise CheckFailed(f"{name} should be a tensor (torch.tensor(...)), not {type(value).__name__}")
    if dtype is not None and str(value.dtype) != str(dtype):
        raise CheckFailed(f"{name} has dtype {value.dtype} but should have {dtype}" + (f": {hint}" if hint else ""))
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise CheckFailed(_shape_hint(name, np.empty(tuple(value.shape)), np.empty(tuple(shape))))
    if requires_grad is not None and bool(value.requires_grad) != requires_grad:
        raise CheckFailed(f"{name} needs requires_grad=True, or backward() cannot reach it" if requires_grad
                          else f"{name} should not require grad: create it under torch.no_grad() or .detach() it")
