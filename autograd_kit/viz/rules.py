"""The local rule each op applies in backward, evaluated with the node's real numbers.

For a step of the backward walk, ``explain`` takes the node (its op, its inputs' values, its output, the
options it kept), the gradient flowing in (``g``) and, per input, the gradient the engine computed; it
re-derives each contribution from the op's rule (``g · b`` for a product, ``g @ bᵀ`` and ``aᵀ @ g`` for a
matrix product, ``g · (1 − tanh²)`` for tanh, ``g / n`` for a mean ...), then the sum over broadcast
dimensions the engine does once for every op, and checks the result against the engine's number. Only a
re-derivation that matches is shown as arithmetic; any other op (or a mismatch) shows the op's stated
rule and the engine's result, with no equation.
"""
import numpy as np

from ..autograd.graph import AccumulateGrad
from .numbers import as_array, num


class _Ctx:
    def __init__(self, node, g, x, names):
        self.node, self.g, self.x, self.names = node, g, x, names
        out = getattr(node, "_value", None)
        self.out = None if out is None else np.asarray(out, dtype=np.float64)

    def attr(self, name, default=None):
        return self.node.__dict__.get(name, default)

    def saved(self, name):
        entry = (self.node._saved or {}).get(name)
        return None if entry is None else entry[0]


def _f64(a):
    return None if a is None else np.asarray(a, dtype=np.float64)


def _pass(c, i):
    return "g (passed through unchanged)", [("g", c.g)]


def _add(c, i):
    alpha = c.attr("alpha", 1)
    if i == 0 or alpha == 1:
        return _pass(c, i)
    return f"{num(alpha)} · g", [(f"{num(alpha)} · g", alpha * c.g)]


def _sub(c, i):
    if i == 0:
        return _pass(c, i)
    alpha = c.attr("alpha", 1)
    k = "" if alpha == 1 else f"{num(alpha)} · "
    return f"−{k}g", [(f"−{k}g", -alpha * c.g)]


def _neg(c, i):
    return "−g", [("−g", -c.g)]


def _mul(c, i):
    other, name = c.x[1 - i], c.names[1 - i]
    if other is None:
        return None
    return f"g · {name}", [(name, other), (f"g · {name}", c.g * other)]


def _div(c, i):
    a, b = c.x[0], c.x[1]
    if b is None:
        return None
    if i == 0:
        return "g / b", [("b", b), ("g / b", c.g / b)]
    if a is None:
        return None
    return "−g · a / b²", [("a / b²", a / b ** 2), ("−g · a / b²", -c.g * a / b ** 2)]


def _pow(c, i):
    a, p = c.x[0], c.saved("exponent")
    if a is None or p is None or hasattr(p, "shape"):
        return None
    p = float(p)
    local = p * a ** (p - 1)
    return (f"g · p·aᵖ⁻¹ with p = {p:g}",
            [("a", a), (f"p·aᵖ⁻¹ = {p:g}·a^{p - 1:g}", local), ("g · p·aᵖ⁻¹", c.g * local)])


def _from_out(text, local_of, out_label):
    def rule(c, i):
        if c.out is None:
            return None
        local = local_of(c.out)
        return f"g · ({text}), elementwise", [(out_label, c.out), (text, local), (f"g · ({text})", c.g * local)]
    return rule


def _from_in(text, local_of):
    def rule(c, i):
        a = c.x[0]
        if a is None:
            return None
        local = local_of(a)
        return f"g · ({text}), elementwise", [("a", a), (text, local), (f"g · ({text})", c.g * local)]
    return rule


def _relu(c, i):
    if c.out is None:
        return None
    mask = (c.out > 0).astype(np.float64)
    return "g where a > 0, else 0", [("1 if a > 0 else 0", mask), ("g · [a > 0]", c.g * mask)]


def _kept(shape, dims):
    return tuple(1 if d in dims else s for d, s in enumerate(shape))


def _sum(c, i):
    shape, dims = c.attr("shape"), c.attr("dims")
    if shape is None:
        return None
    g = c.g if (c.g.ndim == 0 or not dims) else c.g.reshape(_kept(shape, dims))
    return f"g copied to every element of a {tuple(shape)}", [("g, copied", np.broadcast_to(g, shape))]


def _mean(c, i):
    shape, dims, n = c.attr("shape"), c.attr("dims"), c.attr("n")
    if shape is None or not n:
        return None
    g = c.g if (c.g.ndim == 0 or not dims) else c.g.reshape(_kept(shape, dims))
    return (f"g / n copied to every element of a {tuple(shape)}, n = {n}",
            [("1/n", np.float64(1.0 / n)), ("g / n, copied", np.broadcast_to(g / n, shape))])


def _mm(ia, ib, offset=0):
    def rule(c, i):
        a, b = c.x[ia], c.x[ib]
        if i == ia and b is not None and b.ndim == 2 and c.g.ndim == 2:
            return "g @ bᵀ", [("bᵀ", b.T), ("g @ bᵀ", c.g @ b.T)]
        if i == ib and a is not None and a.ndim == 2 and c.g.ndim == 2:
            return "aᵀ @ g", [("aᵀ", a.T), ("aᵀ @ g", a.T @ c.g)]
        if i < offset:
            return _pass(c, i)
        return None
    return rule


def _transpose(c, i):
    if c.g.ndim < 2:
        return _pass(c, i)
    dims = c.attr("dims")
    if dims and len(dims) == 2 and c.g.ndim > 2:
        return "g with the two dimensions swapped back", [("gᵀ", np.swapaxes(c.g, *dims))]
    return "gᵀ (the transpose, undone)", [("gᵀ", np.swapaxes(c.g, -1, -2))]


def _reshape(c, i):
    shape = c.node._in_meta[i][0] if c.node._in_meta[i] else None
    if shape is None:
        return None
    return f"g reshaped back to {tuple(shape)}", [("g, reshaped", c.g.reshape(shape))]


def _permute(c, i):
    inverse = c.attr("inverse")
    if inverse is None:
        return None
    return "g with the dimensions permuted back", [("g, permuted back", np.transpose(c.g, tuple(int(d) for d in inverse)))]


def _softmax(c, i):
    dim = c.attr("dim")
    if c.out is None or dim is None:
        return None
    s = c.out
    dot = (c.g * s).sum(axis=dim, keepdims=True)
    return (f"s · (g − Σ g·s) with s = softmax(a), Σ over dim {dim}",
            [("s, the saved output", s), (f"Σ g·s over dim {dim}", dot), ("s · (g − Σ g·s)", s * (c.g - dot))])


def _log_softmax(c, i):
    dim = c.attr("dim")
    if c.out is None or dim is None:
        return None
    s = np.exp(c.out)
    total = c.g.sum(axis=dim, keepdims=True)
    return (f"g − softmax(a) · Σ g, Σ over dim {dim}",
            [("softmax(a) = e^out", s), (f"Σ g over dim {dim}", total), ("g − softmax(a) · Σ g", c.g - s * total)])


def _mse(c, i):
    a, b = c.x[0], c.x[1]
    if a is None or b is None:
        return None
    red = c.attr("reduction", "mean")
    n = a.size if red == "mean" else 1
    sign = 1 if i == 0 else -1
    local = sign * 2 * (a - b) / n
    text = ("2(a − b)/n" if sign > 0 else "−2(a − b)/n") + (f", n = {n}" if red == "mean" else "")
    return f"g · {text}", [(text, local), (f"g · {text}", c.g * local)]


RULES = {
    "Add": _add, "Sub": _sub, "Rsub": _neg, "Neg": _neg, "Mul": _mul, "Div": _div, "Pow": _pow,
    "Tanh": _from_out("1 − tanh²", lambda o: 1 - o * o, "tanh(a), the saved output"),
    "Sigmoid": _from_out("σ·(1 − σ)", lambda o: o * (1 - o), "σ(a), the saved output"),
    "Exp": _from_out("eᵃ", lambda o: o, "eᵃ, the saved output"),
    "Sqrt": _from_out("1 / (2√a)", lambda o: 1 / (2 * o), "√a, the saved output"),
    "Log": _from_in("1/a", lambda a: 1 / a), "Sin": _from_in("cos a", np.cos), "Cos": _from_in("−sin a",
                                                                                               lambda a: -np.sin(a)),
    "Abs": _from_in("sign(a)", np.sign), "Relu": _relu,
    "Sum": _sum, "SumDim": _sum, "Mean": _mean, "MeanDim": _mean,
    "Mm": _mm(0, 1), "Addmm": _mm(1, 2, offset=1), "T": _transpose, "Transpose": _transpose,
    "View": _reshape, "Reshape": _reshape, "UnsafeView": _reshape, "Squeeze": _reshape, "Unsqueeze": _reshape,
    "Flatten": _reshape, "Clone": _pass, "Expand": _pass, "Permute": _permute, "MseLoss": _mse,
    "Softmax": _softmax, "LogSoftmax": _log_softmax,
}


def sum_to(raw, shape):
    """The engine's one undoing of broadcasting: sum ``raw`` down to ``shape``; (result, summed dims)."""
    shape = tuple(shape)
    if raw.shape == shape:
        return raw, ()
    lead = raw.ndim - len(shape)
    dims = list(range(lead)) + [lead + d for d, s in enumerate(shape) if s == 1 and raw.shape[lead + d] != 1]
    out = raw.sum(axis=tuple(dims), keepdims=True) if dims else raw
    return out.reshape(shape), tuple(dims)


def input_values(node):
    """The values that went into the node's op, by input position (None when not known)."""
    vals = []
    for c, _ in node.next_functions:
        if isinstance(c, AccumulateGrad):
            vals.append(_f64(c.variable._data))
        elif c is not None and getattr(c, "_value", None) is not None:
            vals.append(_f64(c._value))
        else:
            vals.append(None)
    for i, v in node._consts or ():
        if i < len(vals) and (isinstance(v, (int, float, bool)) or hasattr(v, "_data")):
            vals[i] = _f64(as_array(v))
    return vals


def _close(a, b):
    if a.shape != b.shape:
        return False
    tol = 1e-4 * (1.0 + float(np.abs(b).max(initial=0.0)))
    return bool(np.allclose(a, b, rtol=1e-4, atol=tol, equal_nan=True))


def explain(node, grad_output, grad_inputs, names):
    """Per input that receives a gradient: {i, name, rule, terms [(label, array)], summed (dims), result
    (the engine's gradient), verified (the re-derivation matched the engine)}."""
    g = _f64(as_array(grad_output))
    ctx = _Ctx(node, g, input_values(node), names)
    rule_of = RULES.get(node.op.__name__)
    stated = dict(zip(range(len(node.op.derivatives or ())), node.op.derivatives or ()))
    out = []
    for i, ((child, _), gi) in enumerate(zip(node.next_functions, grad_inputs)):
        if child is None or gi is None:
            continue
        engine = _f64(as_array(gi))
        item = {"i": i, "name": names[i], "result": engine, "summed": (), "verified": False}
        derived = None
        if rule_of is not None:
            try:
                derived = rule_of(ctx, i)
            except Exception:  # noqa: BLE001 - an unexpected layout: fall back to the op's stated rule
                derived = None
        if derived is not None:
            text, terms = derived
            raw = np.asarray(terms[-1][1], dtype=np.float64)
            reduced, dims = sum_to(raw, engine.shape) if raw.size >= engine.size else (raw, ())
            if _close(reduced, engine):
                item.update(rule=text, terms=[(k, np.asarray(v)) for k, v in terms], summed=dims,
                            verified=True)
                out.append(item)
                continue
        item.update(rule=f"∂out/∂{names[i]} = {stated.get(i, '?')} (the op's rule), times g",
                    terms=[])
        out.append(item)
    return out
