"""The trusted side of the boundary: the student's values as trusted objects, and proxies for the rest.

``Session(sock)`` talks to one agent (``agent.py``) running the student's notebook. ``session.fetch(names)``
returns the student's values decoded into trusted types, checked exactly: Python scalars, lists,
tuples, dicts, ``np.ndarray`` and NumPy scalars, and autograd_kit Tensors rebuilt here (data, dtype,
``requires_grad``, ``is_leaf``, ``.grad``, ``grad_fn`` name). A float/int/str/ndarray/Tensor subclass
arrives as its true value. Anything else (a function, an ``nn.Module``, an optimizer) is a
``RemoteObject``: calling it sends the arguments as data and returns the result as data (or another
proxy); reading an attribute is one narrow request.

Tensors are shared across the boundary: a trusted tensor passed to a student's function is mirrored in
the sandbox, and changes on either side (data, ``.grad``) are synced at every request. A tensor returned
by a call keeps a link to the sandbox graph that made it: ``.backward()`` on it (or on anything computed
from it here) runs that graph's backward in the sandbox and brings the gradients of the mirrored
arguments back through this process's own autograd engine, so ``h(x).backward(); x.grad`` just works.
"""
import builtins
import math
import select
import time

import numpy as np

import autograd_kit as torch
from autograd_kit import nn
from autograd_kit.autograd import graph as _graph
from autograd_kit.grading import wire

Tensor, Parameter, DType = torch.Tensor, nn.Parameter, type(torch.float32)
DTYPES = {n: getattr(torch, n) for n in dir(torch) if type(getattr(torch, n)) is DType}


class SandboxGone(BaseException):
    """The student's process died, hung or broke the protocol: nothing more can be asked of it.
    A BaseException, so that a test's ``except Exception`` does not swallow it."""


class RemoteError(Exception):
    """Raised by the student's code in the sandbox. ``student_type``: the class name it had there (the
    student chose it); ``builtin_type``: the builtin exception class it derives from."""
    student_type = "Exception"
    builtin_type = "Exception"


_EXC_CACHE = {}


def _remote_exception(info):
    name = "".join(c for c in str(info.get("type", "Exception")) if c.isalnum() or c == "_")[:60] or "Exception"
    base = getattr(builtins, str(info.get("builtin")), Exception)
    if not (isinstance(base, type) and issubclass(base, Exception)):
        base = Exception
    cls = _EXC_CACHE.get((name, base))
    if cls is None:
        attrs = {"student_type": name, "builtin_type": base.__name__, "__module__": "student"}
        try:
            cls = type(name, (base, RemoteError), attrs)
        except TypeError:
            cls = type(name, (RemoteError,), attrs)
        _EXC_CACHE[(name, base)] = cls
    return cls(str(info.get("msg", ""))[:500])


class _RemoteOp:
    """The backward of a node whose forward ran in the sandbox."""
    formula, derivatives, inputs, is_view, _user = "", (), (), False, False

    @staticmethod
    def backward(ctx, grad):
        return ctx._session.remote_grad(ctx._key, grad, ctx._input_keys)


_NODE_TYPES = {}


def _remote_node(name, session, key, inputs):
    """A trusted graph node named like the student's (``MulBackward0``) whose backward is remote."""
    name = "".join(c for c in str(name) if c.isalnum() or c == "_")[:80] or "RemoteBackward0"
    cls = _NODE_TYPES.get(name)
    if cls is None:
        cls = _NODE_TYPES[name] = type(name, (_graph.Node,), {"op": _RemoteOp, "__module__": "autograd_kit.autograd.graph"})
    node = cls()
    node.seq = next(_graph._seq)
    node._session, node._key = session, key
    node._input_keys = [session.key_of(t) for t in inputs]
    node.next_functions = tuple(((t.grad_fn if t.grad_fn is not None else t._accumulator()), 0) for t in inputs)
    node.needs_input_grad = tuple(True for _ in inputs)
    node._in_meta = [(t._data.shape, t._data.dtype) for t in inputs]
    return node


def _mark(t):
    g = t._grad
    return (id(t._data), t._vc[0], id(g), None if g is None else g._vc[0])


_KIT_CLASSES = {}


def _kit_class(name):
    """The trusted kit class named ``name`` (``Module``, ``Linear``, ``SGD``...), or None."""
    if not _KIT_CLASSES:
        from autograd_kit import optim
        for mod in (nn, optim):
            _KIT_CLASSES.update({n: c for n in dir(mod) if isinstance(c := getattr(mod, n), type)})
    return _KIT_CLASSES.get(name) if type(name) is str else None


class RemoteObject:
    """A student's object that is not data (a function, a module...): it stays in the sandbox.
    ``isinstance(model, nn.Module)`` is True when the student's class derives from that kit class."""
    __slots__ = ("_session", "_key", "_type", "_callable", "_kit")

    def __init__(self, session, key, type_name, is_callable, kit=None):
        self._session, self._key, self._type, self._callable = session, key, type_name, is_callable
        self._kit = _kit_class(kit)

    @property
    def __class__(self):
        return self._kit or RemoteObject

    def __call__(self, *args, **kwargs):
        if not self._callable:
            raise TypeError(f"'{self._type}' object is not callable")
        return self._session.request("call", self._key, args=args, kwargs=kwargs)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._session.request("attr", self._key, name=name)

    def __len__(self):
        n = self._session.request("len", self._key)
        if type(n) is not int:
            raise TypeError("the student's __len__ did not return an int")
        return n

    def __iter__(self):
        items = self._session.request("iter", self._key)
        return iter(items if type(items) is list else [])

    def __getitem__(self, index):
        return self._session.request("getitem", self._key, args=(index,))

    def __repr__(self):
        return f"<student's {self._type} object>"

    @property
    def remote_type(self):
        return self._type


class Session:
    """One conversation with one sandboxed agent. ``timeout``: seconds a request may take."""

    def __init__(self, sock, timeout=30.0, on_timeout=None):
        self.sock, self.timeout, self.on_timeout = sock, timeout, on_timeout
        self.tracked = {}  # key -> (trusted tensor, mark at the last sync)
        self.keys = {}  # id(trusted tensor) -> key
        self.next_mirror = -1
        self.functions = None

    # ---- transport --------------------------------------------------------------------------
    def exchange(self, msg, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        try:
            wire.send(self.sock, msg)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                    if self.on_timeout:
                        self.on_timeout()
                    raise SandboxGone("timeout")
                self.sock.settimeout(max(left, 0.01))
                return wire.recv(self.sock)
        except (OSError, EOFError, wire.WireError) as e:
            raise SandboxGone(f"{type(e).__name__}: {e}") from None

    def run(self, code, timeout=None):
        reply = self.exchange({"op": "run", "code": code}, timeout)
        if type(reply) is not dict or reply.get("status") not in ("ok", "error"):
            raise SandboxGone("a malformed reply")
        return reply

    def fetch(self, names):
        reply = self.exchange({"op": "get", "names": sorted(names)})
        values = reply.get("values") if type(reply) is dict else None
        if type(values) is not dict:
            raise SandboxGone("a malformed reply")
        out = {}
        for name, v in values.items():
            if type(name) is str and name in names:
                try:
                    out[name] = self.dec(v)
                except (wire.WireError, KeyError, TypeError, ValueError):
                    out[name] = InvalidValue(name)
        return out

    def request(self, op, key, args=(), kwargs=None, **extra):
        mirrors = []
        msg = {"op": op, "key": key, "args": [self.enc(a, mirrors) for a in args],
               "kwargs": {str(k): self.enc(v, mirrors) for k, v in (kwargs or {}).items()}, **extra}
        msg["sync"] = self.changed(exclude={self.keys.get(id(t)) for t in mirrors})
        reply = self.exchange(msg)
        if type(reply) is not dict:
            raise SandboxGone("a malformed reply")
        self.apply_state(reply.get("state", []))
        if "error" in reply:
            if type(reply["error"]) is not dict:
                raise SandboxGone("a malformed reply")
            if reply["error"].get("type") == "ProtocolError":
                raise RemoteError(reply["error"].get("msg", ""))
            raise _remote_exception(reply["error"])
        links = list({id(t): t for t in mirrors if t.requires_grad}.values())  # f(x, x): one edge to x
        return self.dec(reply.get("value"), links=links)

    def remote_grad(self, key, grad, input_keys):
        msg = {"op": "grad", "key": key, "grad": self.enc(grad, []), "inputs": input_keys, "sync": self.changed()}
        reply = self.exchange(msg)
        self.apply_state(reply.get("state", []) if type(reply) is dict else [])
        if type(reply) is not dict or "error" in reply:
            raise _remote_exception(reply.get("error", {}) if type(reply) is dict else {})
        grads = reply.get("value")
        if type(grads) is not list or len(grads) != len(input_keys):
            raise SandboxGone("a malformed reply")
        grads = [self.dec(g) for g in grads]
        if any(g is not None and type(g) is not np.ndarray for g in grads):
            raise SandboxGone("a malformed reply")
        return tuple(None if g is None else Tensor._make(g) for g in grads)

    # ---- tensors shared with the sandbox ----------------------------------------------------------
    def key_of(self, t):
        k = self.keys.get(id(t))
        if k is None or self.tracked.get(k, (None,))[0] is not t:
            k, self.next_mirror = self.next_mirror, self.next_mirror - 1
            self.keys[id(t)] = k
            self.tracked[k] = (t, None)
        return k

    def changed(self, exclude=()):
        out = []
        for k, (t, mark) in self.tracked.items():
            if mark is not None and k not in exclude and _mark(t) != mark:
                out.append(self.tensor_state(k, t))
                self.tracked[k] = (t, _mark(t))
        return out

    def tensor_state(self, k, t):
        return {"key": k, "data": wire.npy_bytes(t._data), "rg": t.requires_grad,
                "grad": None if t._grad is None else wire.npy_bytes(t._grad._data)}

    def apply_state(self, items):
        if type(items) is not list:
            raise SandboxGone("a malformed reply")
        for item in items:
            entry = self.tracked.get(item.get("key")) if type(item) is dict else None
            if entry is None:
                continue
            t = entry[0]
            data = wire.npy_array(item["data"])
            if data.shape != t._data.shape or data.dtype != t._data.dtype or not np.array_equal(data, t._data, equal_nan=True):
                t._data = data
                t._vc[0] += 1
            t._requires_grad = bool(item.get("rg")) and data.dtype.kind in "fc"
            t._grad = None if item.get("grad") is None else Tensor._make(wire.npy_array(item["grad"]))
            self.tracked[item["key"]] = (t, _mark(t))

    # ---- trusted value -> wire --------------------------------------------------------------------
    def enc(self, v, mirrors, depth=0):
        t = type(v)
        if v is None or t is bool or t is int or t is str:
            return v
        if t is float:
            return v if math.isfinite(v) else {"$": "float", "v": repr(v)}
        if depth > wire.MAX_DEPTH:
            raise ValueError("nested too deeply")
        if t is list:
            return [self.enc(x, mirrors, depth + 1) for x in v]
        if isinstance(v, tuple):
            return {"$": "tuple", "v": [self.enc(x, mirrors, depth + 1) for x in v]}
        if isinstance(v, dict):
            return {"$": "dict", "k": [self.enc(k, mirrors, depth + 1) for k in v],
                    "v": [self.enc(x, mirrors, depth + 1) for x in v.values()]}
        if isinstance(v, (set, frozenset)):
            return {"$": "set", "v": [self.enc(x, mirrors, depth + 1) for x in v]}
        if isinstance(v, Tensor):
            k = self.key_of(v)
            mirrors.append(v)
            self.tracked[k] = (v, _mark(v))
            return {"$": "tensor", "param": isinstance(v, Parameter), **self.tensor_state(k, v)}
        if isinstance(v, np.ndarray):
            return {"$": "npy", "b": wire.npy_bytes(np.asarray(v))}
        if isinstance(v, np.generic):
            return {"$": "npscalar", "b": wire.npy_bytes(np.asarray(v))}
        if t is DType:
            return {"$": "dtype", "v": v.name}
        if t is RemoteObject:
            return {"$": "ref", "key": object.__getattribute__(v, "_key")}
        if self.functions is None:
            from .agent import FUNCTIONS
            self.functions = {id(fn): key for key, fn in FUNCTIONS.items()}
        if id(v) in self.functions:
            mod, name = self.functions[id(v)]
            return {"$": "fn", "mod": mod, "name": name}
        cls = f"{t.__module__.rsplit('.', 1)[0]}.{t.__name__}"
        if t.__module__.startswith(("autograd_kit.nn", "autograd_kit.optim")) and hasattr(v, "__dict__"):
            return {"$": "obj", "cls": t.__name__, "state": self.enc(dict(vars(v)), mirrors, depth + 1)}
        raise TypeError(f"cannot hand a {t.__name__} to the student's code (only data, tensors, modules, "
                        f"math/numpy/torch functions and the student's own objects cross the sandbox) [{cls}]")

    # ---- wire -> trusted value (exact types) ------------------------------------------------------
    def dec(self, v, depth=0, links=()):
        if v is None or type(v) in (bool, int, float, str):
            return v
        if depth > wire.MAX_DEPTH:
            raise wire.WireError("nested too deeply")
        if type(v) is list:
            return [self.dec(x, depth + 1, links) for x in v]
        if type(v) is not dict:
            raise wire.WireError("not a value")
        tag = v.get("$")
        if tag == "tuple":
            return tuple(self.dec(x, depth + 1, links) for x in self._list(v["v"]))
        if tag == "dict":
            keys, vals = self._list(v["k"]), self._list(v["v"])
            out = {}
            for k, x in zip(keys, vals):
                k = self.dec(k, depth + 1)
                try:
                    out[k] = self.dec(x, depth + 1, links)
                except TypeError:  # an unhashable key (a list): not data
                    raise wire.WireError("unhashable dict key") from None
            return out
        if tag == "float":
            if v.get("v") not in ("nan", "inf", "-inf"):
                raise wire.WireError("bad float")
            return float(v["v"])
        if tag == "sub":
            of, inner = v.get("of"), v.get("v")
            inner = self.dec(inner, depth + 1) if of == "float" and type(inner) is dict else inner
            if {"float": float, "int": int, "str": str}.get(of) is not type(inner) and not (of == "float" and type(inner) is float):
                raise wire.WireError("bad subclass value")
            return inner
        if tag == "npy":
            return wire.npy_array(v.get("b"))
        if tag == "npscalar":
            a = wire.npy_array(v.get("b"))
            if a.ndim != 0:
                raise wire.WireError("bad NumPy scalar")
            return a[()]
        if tag == "dtype":
            return DTYPES[v["v"]]
        if tag == "tensor":
            return self.dec_tensor(v, links)
        if tag == "ref":
            key = v.get("key")
            if type(key) is not int:
                raise wire.WireError("bad ref")
            return RemoteObject(self, key, str(v.get("type", "object"))[:60], v.get("callable") is True, v.get("kit"))
        raise wire.WireError(f"unknown tag {tag!r}")

    @staticmethod
    def _list(v):
        if type(v) is not list:
            raise wire.WireError("not a list")
        return v

    def dec_tensor(self, v, links):
        key = v.get("key")
        if type(key) is not int:
            raise wire.WireError("bad tensor key")
        if key in self.tracked and self.tracked[key][1] is not None:
            return self.tracked[key][0]  # a tensor this side already holds (a mirrored argument): itself
        data = wire.npy_array(v.get("data"))
        rg = v.get("rg") is True and data.dtype.kind in "fc"
        if v.get("fn") is None:
            t = Parameter(Tensor._make(data), rg) if v.get("param") is True else Tensor._make(data, rg)
        else:
            t = Tensor._make(data, True, _remote_node(v["fn"], self, key, links))
        g = v.get("grad")
        if type(g) is dict:
            t._grad = Tensor._make(wire.npy_array(g.get("data")))
        self.tracked[key] = (t, _mark(t))
        self.keys[id(t)] = key
        return t


class InvalidValue:
    """A student's value that could not be read as data (malformed, or too large)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<{self.name}: not readable as data>"
