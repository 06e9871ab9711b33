"""The wire between the trusted grader and the sandboxed agent: length-prefixed JSON frames, arrays as
``.npy`` bytes (``allow_pickle=False``), never pickle. Shared by both sides; imports only the stdlib
and NumPy, and nothing in it calls a method of a value it is given (the callers decide what a value is).

A value on the wire is a JSON scalar (exact ``None``/``bool``/``int``/``float``/``str``), a JSON list
(a Python list) or a tagged object ``{"$": tag, ...}``: ``tuple``, ``dict``, ``npy`` (ndarray),
``npscalar`` (NumPy scalar), ``sub`` (a float/int/str subclass, sent as its true value), ``dtype``,
``tensor``, ``fn`` (a function both sides know by name), ``obj`` (a kit object such as an
``nn.Module``, sent as its class and state) and ``ref`` (anything else: it stays in the sandbox).
"""
import base64
import io
import json
import struct

import numpy as np

MAX_FRAME = 64 << 20  # bytes in one message
MAX_DEPTH = 64  # nesting of lists/dicts in one value
MAX_ITEMS = 1_000_000  # elements of one container sent as data
_HEADER = struct.Struct(">Q")
_save, _load, _BytesIO = np.save, np.load, io.BytesIO
_b64e, _b64d = base64.b64encode, base64.b64decode
_dumps, _loads = json.dumps, json.loads
SAFE_KINDS = "biufcSUmM"  # dtype kinds that travel as data (no object, no structured 'V')


class WireError(Exception):
    """A malformed, oversized or unexpected message."""


def npy_bytes(arr):
    buf = _BytesIO()
    _save(buf, arr, allow_pickle=False)
    return _b64e(buf.getvalue()).decode("ascii")


def npy_array(text):
    """An exact ``np.ndarray`` from base64 ``.npy`` text, or WireError."""
    if type(text) is not str:
        raise WireError("npy payload is not text")
    try:
        arr = _load(_BytesIO(_b64d(text, validate=True)), allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - any failure to read is a bad message
        raise WireError(f"bad npy payload ({type(e).__name__})") from None
    if type(arr) is not np.ndarray or arr.dtype.kind not in SAFE_KINDS:
        raise WireError("npy payload is not a plain array")
    return arr


def send(sock, obj):
    data = _dumps(obj, allow_nan=True, separators=(",", ":")).encode()
    if len(data) > MAX_FRAME:
        raise WireError(f"message too large ({len(data)} bytes)")
    sock.sendall(_HEADER.pack(len(data)) + data)


def _recv_exact(sock, n):
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv(sock):
    (n,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size))
    if n > MAX_FRAME:
        raise WireError(f"message too large ({n} bytes)")
    try:
        return _loads(_recv_exact(sock, n).decode())
    except (ValueError, RecursionError, UnicodeDecodeError) as e:
        raise WireError(f"malformed message ({type(e).__name__})") from None
