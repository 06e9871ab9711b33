"""Turning DOT text into SVG/PNG/PDF: the system `dot` when present, else `graphviz-pure` (a pip-installed
Rust port of Graphviz, SVG/PNG only), else nothing — and then callers show the DOT text and a hint."""
import os
import shutil
import subprocess
import sys

PURE_FORMATS = ("svg", "png", "plain", "json", "xdot", "dot")
HINT = ("No Graphviz renderer found: `pip install graphviz-pure` (no admin rights needed) or install "
        "Graphviz (`apt-get install graphviz`, `brew install graphviz`, `conda install graphviz`).")
TIMEOUT = 30


class RenderError(RuntimeError):
    pass


def find_renderer():
    """(kind, path) of the renderer to use: ('dot', …), ('graphviz-pure', …) or (None, None).

    ``AUTOGRAD_KIT_RENDERER`` = dot | graphviz-pure | none forces a choice."""
    forced = os.environ.get("AUTOGRAD_KIT_RENDERER", "").strip().lower()
    candidates = {"dot": shutil.which("dot"), "graphviz-pure": _which_pure()}
    if forced == "none":
        return None, None
    if forced in candidates:
        return (forced, candidates[forced]) if candidates[forced] else (None, None)
    for kind in ("dot", "graphviz-pure"):
        if candidates[kind]:
            return kind, candidates[kind]
    return None, None


def _which_pure():
    # the console script sits next to this interpreter even when that folder is not on PATH (a kernel)
    found = shutil.which("graphviz-pure")
    if found:
        return found
    here = os.path.join(os.path.dirname(sys.executable), "graphviz-pure")
    return here if os.access(here, os.X_OK) else None


def render(source, fmt="svg"):
    """Render DOT text; returns bytes. Raises RenderError with the hint if nothing can render."""
    kind, exe = find_renderer()
    if kind is None:
        raise RenderError(HINT)
    if kind == "graphviz-pure" and fmt not in PURE_FORMATS:
        raise RenderError(f"{fmt.upper()} needs the system Graphviz (`dot`), which is not installed; "
                          "graphviz-pure (found) writes only .svg, .png and .dot files here: save as one of "
                          "those, or install Graphviz (`apt-get install graphviz`, `brew install graphviz`, "
                          "`conda install graphviz`) for .pdf.")
    try:
        done = subprocess.run([exe, f"-T{fmt}"], input=source.encode(), capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RenderError(f"{kind} took more than {TIMEOUT} s to lay out this graph; draw fewer nodes "
                          "(max_nodes) or save the .dot text") from None
    if done.returncode != 0:
        raise RenderError(f"{kind} failed: {done.stderr.decode(errors='replace').strip()[:500]}")
    return done.stdout
