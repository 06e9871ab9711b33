"""Sealed answers: salted hashes of a normalized answer and of its typical mistakes (nbgrader's "hashed
autotest" idea), so a released notebook can check a fixed answer without revealing it.

A key is ``"ak1:" + base64(JSON)``: a salt, a tolerance step and candidates ``[tag, kind, shape, mask,
digest]``; tag ``"ok"`` is the answer, ``"m0"``, ``"m1"``… the author's mistakes, ``"double"``, ``"neg"``,
``"half"``, ``"order"``, ``"case"`` the automatic ones. Numbers are quantized on a grid of ``step = 4·tol``
before hashing; for each element the key records which of two half-shifted grids keeps the answer at least
``step/4`` from a rounding boundary, so any value within ``tol`` of the answer lands on the same hash.

``autograd-kit release`` runs the source notebook with ``AUTOGRAD_KIT_SEAL`` set to a file: each
``expect_answer`` then appends its cell line and new key there (``record``) instead of checking.
"""
import base64
import hashlib
import json
import os
import secrets
import sys

import numpy as np

SEAL_ENV = "AUTOGRAD_KIT_SEAL"
PREFIX = "ak1:"


def sealing():
    return bool(os.environ.get(SEAL_ENV))


def record(key, depth=2):
    """Append ``{"line", "key"}`` to the seal file; ``line`` is the cell line of the ``expect_answer`` call."""
    frame = sys._getframe(depth)
    with open(os.environ[SEAL_ENV], "a", encoding="utf-8") as f:
        f.write(json.dumps({"line": frame.f_lineno, "file": frame.f_code.co_filename, "key": key}) + "\n")


# ---- normal forms ---------------------------------------------------------------------------------------
def numeric(value):
    """A float64 array of a number, NumPy value, tensor or regular list of numbers; TypeError otherwise."""
    if value is None or isinstance(value, (str, bytes, dict)):
        raise TypeError(f"not a number: {type(value).__name__}")
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().numpy()
    elif isinstance(value, (list, tuple)):
        value = [numeric(v) for v in value]
    a = np.asarray(value)
    if a.dtype == object or a.dtype.kind not in "biuf":
        raise TypeError(f"not a number: {type(value).__name__}")
    return a.astype(np.float64)


def canonical(value):
    """JSON-ready normal form of strings, numbers and (nested, possibly ragged) lists of them."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().numpy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        r = round(float(value), 6)
        return int(r) if r.is_integer() and abs(r) < 2**53 else r
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    raise TypeError(f"not plain data: {type(value).__name__}")


def show(value):
    try:
        return " ".join(np.array2string(numeric(value), precision=4, threshold=20).split())
    except (TypeError, ValueError):
        return repr(value)[:80]


# ---- hashing ----------------------------------------------------------------------------------------------
def _quantize(a, step, mask):
    u = a.ravel() / step
    q = np.where(mask, np.floor(u), np.floor(u + 0.5))
    return np.clip(q, -2.0**62, 2.0**62).astype(np.int64)


def _best_mask(a, step):
    u = a.ravel() / step
    frac = u - np.floor(u)
    return np.abs(frac - 0.5) < np.minimum(frac, 1 - frac)  # True: the floor grid is farther from an edge


def _digest(salt, kind, payload):
    return hashlib.sha256(f"{salt}|{kind}|".encode() + payload).hexdigest()[:24]


def _num_candidate(tag, a, salt, step):
    mask = _best_mask(a, step)
    payload = repr(a.shape).encode() + _quantize(a, step, mask).tobytes()
    return [tag, "num", list(a.shape), np.packbits(mask).tobytes().hex(), _digest(salt, "num", payload)]


def _json_candidate(tag, c, salt):
    return [tag, "json", None, None, _digest(salt, "json", json.dumps(c, sort_keys=True).encode())]


def _candidate(tag, value, salt, step):
    try:
        a = numeric(value)
        if np.all(np.isfinite(a)):
            return _num_candidate(tag, a, salt, step)
    except (TypeError, ValueError):
        pass
    return _json_candidate(tag, canonical(value), salt)


def _order(c):
    return sorted(c, key=lambda v: json.dumps(v, sort_keys=True)) if isinstance(c, list) else None


def _lower(c):
    if isinstance(c, str):
        return c.lower()
    if isinstance(c, list) and all(isinstance(v, str) for v in c):
        return [v.lower() for v in c]
    return None


def make(answer, mistakes=(), *, tol=1e-3, old=None):
    """The key of ``answer``; ``mistakes`` are wrong values or functions of the answer. Reuses the salt of
    ``old`` (so re-releasing an unchanged answer leaves its key unchanged)."""
    prev = parse(old)
    salt = prev["salt"] if prev else secrets.token_hex(8)
    step = 4.0 * float(tol)
    first = _candidate("ok", answer, salt, step)
    if first[1] == "num":
        a = numeric(answer)
        value_for_mistakes = a if a.shape else float(a)
    else:
        value_for_mistakes = canonical(answer)
    cands = [first]
    for i, m in enumerate(mistakes):
        wrong = m(value_for_mistakes) if callable(m) else m
        cands.append(_candidate(f"m{i}", wrong, salt, step))
    if first[1] == "num":
        a = numeric(answer)
        if np.any(a != 0):
            cands += [_num_candidate(tag, f * a, salt, step) for tag, f in (("double", 2.0), ("neg", -1.0), ("half", .5))]
    else:
        c = canonical(answer)
        for tag, form in (("order", _order(c)), ("case", _lower(c))):
            if form is not None:  # hashed under its own tag: compared with the same form of the student's value
                cands.append([tag, "json", None, None, _digest(salt, tag, json.dumps(form, sort_keys=True).encode())])
    seen, unique = set(), []
    for cand in cands:  # a mistake equal to the answer (or to an earlier mistake) is no mistake
        if cand[4] not in seen:
            seen.add(cand[4])
            unique.append(cand)
    kind = "num" if first[1] == "num" else "str" if isinstance(answer, str) else \
        "list" if isinstance(canonical(answer), list) else "other"
    body = {"salt": salt, "step": step, "kind": kind, "c": unique}
    return PREFIX + base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()


def parse(key):
    if not isinstance(key, str) or not key.startswith(PREFIX):
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(key[len(PREFIX):].encode()))
        return body if isinstance(body, dict) and {"salt", "step", "c"} <= set(body) else None
    except (ValueError, TypeError):
        return None


class Verdict:
    def __init__(self, tag=None, kind_error=None, shape_error=None):
        self.tag, self.kind_error, self.shape_error = tag, kind_error, shape_error


def match(value, key):
    """Which candidate of ``key`` the student's ``value`` is (``Verdict.tag``), or why none."""
    body = parse(key)
    if body is None:
        raise ValueError("not an autograd_kit answer key")
    salt, step, cands = body["salt"], body["step"], body["c"]
    try:
        got = numeric(value)
    except (TypeError, ValueError):
        got = None
    try:
        canon = canonical(value)
    except TypeError:
        canon = None
    ok = cands[0]
    if ok[1] == "num" and got is None:
        return Verdict(kind_error="a number or a tensor")
    kind = body.get("kind")
    if ok[1] == "json" and (canon is None or kind == "str" and not isinstance(value, str)
                            or kind == "list" and not isinstance(canon, list)):
        return Verdict(kind_error={"str": "a string", "list": "a list"}.get(kind, "plain data"))
    for tag, kind, shape, mask, digest in cands:
        if kind == "num":
            if got is None or not np.all(np.isfinite(got)):
                continue
            a = got
            if tuple(shape) != a.shape:
                if shape == [] and a.size == 1:
                    a = a.reshape(())
                else:
                    continue
            m = np.unpackbits(np.frombuffer(bytes.fromhex(mask), dtype=np.uint8))[: a.size].astype(bool)
            payload = repr(a.shape).encode() + _quantize(a, step, m).tobytes()
            if _digest(salt, "num", payload) == digest:
                return Verdict(tag)
        elif canon is not None:
            form = {"order": _order, "case": _lower}.get(tag)
            c = form(canon) if form else canon
            if c is not None and _digest(salt, tag if form else "json", json.dumps(c, sort_keys=True).encode()) == digest:
                return Verdict(tag)
    if ok[1] == "num" and got is not None and tuple(ok[2]) != got.shape and not (ok[2] == [] and got.size == 1):
        want = tuple(ok[2])
        hint = f"has shape {got.shape} but it should have shape {want}"
        if got.size == int(np.prod(want)):
            hint += ": the numbers may be there, check reshape/unsqueeze/keepdim"
        return Verdict(shape_error=hint)
    return Verdict()
