"""Honest numbers for the steppers: a small tensor in full, a large one by shape, statistics and a heatmap.

``FULL_UP_TO`` elements or fewer are written out (a row, or a matrix one row per line) with every element;
larger ones get their shape and labelled statistics (never a single "mean" standing in for the tensor), so
no equation is ever written between summaries.
"""
import html

import numpy as np

FULL_UP_TO = 16
HEAT_CELLS = 12  # a heatmap shows at most HEAT_CELLS × HEAT_CELLS cells (block means of a big tensor)


def as_array(value):
    if value is None:
        return None
    data = getattr(value, "_data", value)
    return np.asarray(data)


def num(v):
    """One element: 4 decimals (as PyTorch prints), scientific when that would hide it."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if v == 0 or (1e-4 <= abs(v) < 1e6) or not np.isfinite(v):
        return f"{v:.4f}" if np.isfinite(v) else str(v)
    return f"{v:.4e}"


def is_full(value):
    arr = as_array(value)
    return arr is not None and arr.size <= FULL_UP_TO


def shape_text(arr):
    return "(" + ", ".join(str(s) for s in arr.shape) + ")"


def full_text(arr):
    """Every element: '2.0000', '[1.0000, -2.0000]', '[[1.0000, 2.0000],\\n [3.0000, 4.0000]]'."""
    if arr.ndim == 0:
        return num(arr.reshape(()).item())
    items = np.vectorize(num, otypes=[object])(arr)
    width = max(len(s) for s in items.flat) if items.size else 0
    pad = np.vectorize(lambda s: s.rjust(width), otypes=[object])(items) if items.size else items

    def rows(a, depth):
        if a.ndim == 1:
            return "[" + ", ".join(a.tolist()) + "]"
        inner = [rows(x, depth + 1) for x in a]
        sep = "," + "\n" * (a.ndim - 1) + " " * (depth + 1)
        return "[" + sep.join(inner) + "]"
    return rows(pad, 0)


def stats_text(arr):
    """Shape and labelled statistics of a large tensor (no single number pretends to be it)."""
    if arr.size == 0:
        return f"shape {shape_text(arr)}, empty"
    a = arr.astype(np.float64)
    return (f"shape {shape_text(arr)}, {arr.size} elements: min {num(a.min())}, mean {num(a.mean())}, "
            f"max {num(a.max())}, ‖·‖ {num(float(np.sqrt((a * a).sum())))}")


def value_text(value):
    """Plain text of a value: in full when small, else shape and statistics."""
    if value is None:
        return "—"
    if isinstance(value, (int, float, bool)):
        return num(value)
    arr = as_array(value)
    return full_text(arr) if arr.size <= FULL_UP_TO else stats_text(arr)


def card_text(value):
    """The short text for a graph card (draw_dot-style records): up to 4 numbers, else the shape and
    the range (a card is a label, never used in an equation)."""
    if value is None:
        return "—"
    arr = as_array(value)
    if arr.size == 1:
        return num(arr.reshape(()).item())
    if arr.ndim == 1 and arr.size <= 4:
        return "[" + ", ".join(num(v) for v in arr.tolist()) + "]"
    if arr.size == 0:
        return shape_text(arr) + " empty"
    a = arr.astype(np.float64)
    return f"{shape_text(arr)} {num(a.min())}…{num(a.max())}"


def _heat_colour(v, scale):
    t = 0.0 if scale == 0 else max(-1.0, min(1.0, v / scale))
    if t >= 0:  # white -> red
        r, g, b = 255, int(255 - 170 * t), int(255 - 190 * t)
    else:  # white -> blue
        r, g, b = int(255 + 200 * t), int(255 + 120 * t), 255
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_html(arr):
    """A small heatmap (block means when the tensor is bigger than HEAT_CELLS per side): blue < 0 < red."""
    a = arr.astype(np.float64)
    a = a.reshape(1, -1) if a.ndim < 2 else a.reshape(-1, a.shape[-1])
    rows = np.array_split(np.arange(a.shape[0]), min(HEAT_CELLS, a.shape[0]))
    cols = np.array_split(np.arange(a.shape[1]), min(HEAT_CELLS, a.shape[1]))
    cells = np.array([[a[np.ix_(r, c)].mean() for c in cols] for r in rows])
    scale = float(np.abs(cells).max()) if cells.size else 0.0
    trs = "".join("<tr>" + "".join(f"<td style='background-color:{_heat_colour(v, scale)}'></td>" for v in row) + "</tr>"
                  for row in cells)
    return f"<table class='ak-heat' title='heatmap: blue negative, red positive'>{trs}</table>"


def value_html(value):
    """HTML of a value: a <pre> with every element when small, else statistics and a heatmap."""
    if value is None:
        return "<span>—</span>"
    arr = as_array(value) if not isinstance(value, (int, float, bool)) else np.asarray(value)
    if arr.size <= FULL_UP_TO:
        text = full_text(arr)
        if "\n" not in text:
            return f"<code class='ak-val'>{html.escape(text)}</code>"
        return f"<pre class='ak-val'>{html.escape(text)}</pre>"
    heat = heatmap_html(arr) if arr.dtype.kind in "fiu" and arr.size else ""
    return f"<div class='ak-stats'>{html.escape(stats_text(arr))}</div>{heat}"
