"""Run one test cell of an instructor source in the trusted grader, over the student's values.

A test cell has a public part (what students see) and a hidden part between ``### BEGIN HIDDEN TESTS``
and ``### END HIDDEN TESTS``. Both run here, with ``exec``, in a fresh namespace of trusted names
(``torch`` = autograd_kit, ``nn``, ``optim``, ``np``, ``math`` and everything ``checks`` exports). Every
other name the code reads that is not a builtin is the student's: fetched from the sandbox before the part
runs (``remote.Session.fetch``), as data or as a proxy. Builtin names always mean the builtin.

Feedback (``feedback_for``): a failed public part shows its message (the public source is no secret); a
failed hidden part shows only the message of the instructor's own ``assert`` (or a check helper's hint),
``not answered yet``, the *type* of an error the student's code raised, or "a hidden test failed" —
never hidden source or an error text built from it.
"""
import builtins
import contextlib
import io
import types

from . import markers
from .remote import RemoteError, SandboxGone

_BUILTIN_NAMES = frozenset(dir(builtins))
GENERIC = "a hidden test failed"


def trusted_namespace():
    import math

    import numpy as np

    import autograd_kit as torch
    from autograd_kit import nn, optim

    from . import checks
    names = getattr(checks, "__all__", None) or [n for n in dir(checks) if not n.startswith("_")]
    ns = {n: getattr(checks, n) for n in names}
    ns.update(torch=torch, nn=nn, optim=optim, np=np, math=math, __builtins__=builtins, __name__="__grader__")
    return ns


def split(source, gid):
    """[(part, code object)]: the public part, then the hidden part (if any). If the markers cannot be
    split apart (indented inside a block), the whole cell runs as one hidden part."""
    if markers.BEGIN_HIDDEN not in source:
        return [("public", compile(source, f"<public test {gid}>", "exec"))]
    lines, public, hidden, inside = source.splitlines(), [], [], False
    for line in lines:
        s = line.strip()
        if s == markers.BEGIN_HIDDEN:
            inside = True
        elif s == markers.END_HIDDEN:
            inside = False
        else:
            (hidden if inside else public).append(line)
    try:
        return [("public", compile("\n".join(public), f"<public test {gid}>", "exec")),
                ("hidden", compile("\n".join(hidden), f"<hidden test {gid}>", "exec"))]
    except SyntaxError:
        whole = "\n".join(line for line in lines if line.strip() not in (markers.BEGIN_HIDDEN, markers.END_HIDDEN))
        return [("hidden", compile(whole, f"<hidden test {gid}>", "exec"))]


def referenced(code):
    """Every global (and attribute) name a code object and its nested code objects mention."""
    names, todo = set(), [code]
    while todo:
        c = todo.pop()
        names.update(c.co_names)
        todo += [k for k in c.co_consts if isinstance(k, types.CodeType)]
    return names


def run_test(session, source, gid):
    """None if the test passed, else {"part", "error", "where"}. Raises SandboxGone if the student's
    process is lost (the caller restarts it)."""
    try:
        parts = split(source, gid)
    except SyntaxError:
        return {"part": "hidden", "error": SyntaxError("the test cell does not compile"), "where": None}
    ns = trusted_namespace()
    for part, code in parts:
        wanted = {n for n in referenced(code) if n not in ns and n not in _BUILTIN_NAMES}
        if wanted:
            ns.update(session.fetch(wanted))
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(code, ns)  # noqa: S102 - instructor code, in the trusted process, over fetched values
        except SandboxGone:
            raise
        except Exception as e:  # noqa: BLE001 - any failure fails the test; feedback_for decides what shows
            return {"part": part, "error": e, "where": _innermost(e), "file": code.co_filename}
    return None


def _innermost(e):
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename if tb is not None else None


def feedback_for(failure):
    e, part = failure["error"], failure["part"]
    if isinstance(e, RemoteError):
        if isinstance(e, NotImplementedError):
            return "not answered yet"
        if part == "public":
            return f"your code raised {e.student_type}: {e}"[:500]
        return f"{GENERIC}: your code raised {e.builtin_type}"  # not the student's class name: it could carry data
    if isinstance(e, NotImplementedError):
        return "not answered yet"
    if part == "public":
        if isinstance(e, AssertionError):
            return str(e)[:500] or "a public check failed"
        if isinstance(e, NameError):
            return f"{e}: run your answer cell (or define it) before the test"[:500]
        return f"{type(e).__name__}: {e}"[:500]
    message = e.args[0] if isinstance(e, AssertionError) and len(e.args) == 1 and isinstance(e.args[0], str) else ""
    from_checks = type(e).__name__ == "CheckFailed"
    if message and (failure.get("where") == failure.get("file") or from_checks):
        return f"{GENERIC}: {message}"[:500]
    return GENERIC
