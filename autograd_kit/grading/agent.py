"""The sandbox side: run the student's cells in an IPython shell, then answer the grader's requests
with plain data. ``python -m autograd_kit.grading.agent FD`` (FD: a connected socket from the grader).

Everything this module uses to read a student's value (``type``, ``float.__float__``, the Tensor slot
descriptors, ``np.save``...) is captured at import, before any student code runs, so patching
builtins, NumPy or the kit afterwards cannot change what is reported. The student can still make this
process say anything about their own values; the grader decodes every answer with exact type checks,
so the most a lie can do is state a value, never "equal everything". Nothing secret is ever sent here:
only student cells, and the arguments a test passes to a student's function.
"""
import builtins
import math
import os
import socket
import sys
import types

import numpy as np

import autograd_kit
import autograd_kit.nn
import autograd_kit.nn.functional
import autograd_kit.optim
from autograd_kit.autograd import graph as _graph
from autograd_kit.grading import wire

_type, _isinstance, _id, _len, _getattr = builtins.type, builtins.isinstance, builtins.id, builtins.len, builtins.getattr
_float_val, _int_val, _str_val = float.__float__, int.__int__, str.__str__
_list_iter, _tuple_iter, _dict_items = list.__iter__, tuple.__iter__, dict.items
_asarray, _ndarray, _generic = np.asarray, np.ndarray, np.generic
Tensor, Parameter, _DType = autograd_kit.Tensor, autograd_kit.nn.Parameter, _type(autograd_kit.float32)
_FIELDS = ("_data", "_requires_grad", "_grad", "grad_fn", "_vc")
_SLOT = {name: Tensor.__dict__[name] for name in _FIELDS if name in Tensor.__slots__}
# Fields that are not slots live in the instance __dict__ (read through its descriptor), with a class default.
_INSTANCE_DICT, _dict_get, _dict_set = Tensor.__dict__["__dict__"], dict.get, dict.__setitem__
_DEFAULT = {name: Tensor.__dict__.get(name) for name in _FIELDS if name not in _SLOT}
_make, _grad_fn, _backward = Tensor._make, autograd_kit.autograd.grad, autograd_kit.autograd.backward
_no_grad = autograd_kit.no_grad
_DTYPES = {n: getattr(autograd_kit, n) for n in dir(autograd_kit) if _type(getattr(autograd_kit, n)) is _DType}
_GENERATOR_TYPES = (types.GeneratorType, _type(iter([])), _type(iter(())), _type(iter({}.values())))


def _named_functions():
    """{(module, name): function} for the functions a test may hand to a student's code by name."""
    table = {}
    for mod in (math, np, autograd_kit, autograd_kit.nn.functional):
        for name in dir(mod):
            fn = getattr(mod, name, None)
            if callable(fn) and not _isinstance(fn, type) and not name.startswith("_"):
                table[(mod.__name__, name)] = fn
    for name in ("abs", "all", "any", "bool", "dict", "float", "int", "len", "list", "max", "min", "pow", "range",
                 "round", "set", "sorted", "str", "sum", "tuple", "zip"):
        table[("builtins", name)] = getattr(builtins, name)
    return table


def _kit_classes():
    table = {}
    for mod in (autograd_kit.nn, autograd_kit.optim):
        for name in dir(mod):
            cls = getattr(mod, name)
            if _isinstance(cls, type):
                table[name] = cls
    return table


FUNCTIONS, CLASSES = _named_functions(), _kit_classes()
_KIT_TYPES = {cls: name for name, cls in CLASSES.items()}


def _kit_class(t):
    """The name of the first kit class (``nn.Module``, ``optim.SGD``...) ``t`` derives from, or None."""
    try:
        return next((_KIT_TYPES[c] for c in type.__dict__["__mro__"].__get__(t) if c in _KIT_TYPES), None)
    except TypeError:
        return None


def _get(slot, t):
    if slot in _SLOT:
        return _SLOT[slot].__get__(t, Tensor)
    return _dict_get(_INSTANCE_DICT.__get__(t, Tensor), slot, _DEFAULT[slot])


def _set(slot, t, value):
    if slot in _SLOT:
        _SLOT[slot].__set__(t, value)
    else:
        _dict_set(_INSTANCE_DICT.__get__(t, Tensor), slot, value)


class Agent:
    def __init__(self, sock, shell):
        self.sock, self.shell, self.objs, self.seen, self.next_key, self.ids = sock, shell, {}, {}, 1, {}

    # ---- sandbox value -> wire ---------------------------------------------------------------
    def key_of(self, obj):
        k = self.ids.get(_id(obj))
        if k is not None and self.objs.get(k) is obj:
            return k
        k, self.next_key = self.next_key, self.next_key + 1
        self.objs[k] = obj  # held for the session, so its id stays its own
        self.ids[_id(obj)] = k
        return k

    def enc(self, v, depth=0):
        t = _type(v)
        if v is None or t is bool or t is int or t is str:
            return v
        if t is float:
            return v if v == v and v not in (math.inf, -math.inf) else {"$": "float", "v": repr(v)}
        if depth > wire.MAX_DEPTH:
            raise ValueError("nested too deeply")
        if t is list or t is tuple:
            items = [self.enc(x, depth + 1) for x in (_list_iter if t is list else _tuple_iter)(v)]
            return items if t is list else {"$": "tuple", "v": items}
        if t is dict:
            pairs = list(_dict_items(v))
            return {"$": "dict", "k": [self.enc(k, depth + 1) for k, _ in pairs], "v": [self.enc(x, depth + 1) for _, x in pairs]}
        if _isinstance(v, Tensor):
            return self.enc_tensor(v, depth)
        if _isinstance(v, _ndarray):
            arr = _asarray(v)  # a base-class view: a subclass's lying methods are not called
            if arr.dtype.kind in wire.SAFE_KINDS and arr.size <= wire.MAX_ITEMS:
                return {"$": "npy", "b": wire.npy_bytes(arr), "sub": None if t is _ndarray else t.__name__}
        elif _isinstance(v, _generic):
            arr = _asarray(v)
            if arr.dtype.kind in wire.SAFE_KINDS:
                return {"$": "npscalar", "b": wire.npy_bytes(arr), "sub": None if t is _type(arr[()]) else t.__name__}
        elif _isinstance(v, float):
            return {"$": "sub", "of": "float", "v": self.enc(_float_val(v)), "type": t.__name__}
        elif _isinstance(v, bool) or _isinstance(v, int):
            return {"$": "sub", "of": "int", "v": _int_val(v), "type": t.__name__}
        elif _isinstance(v, str):
            return {"$": "sub", "of": "str", "v": _str_val(v), "type": t.__name__}
        elif t is _DType:
            return {"$": "dtype", "v": v.name}
        elif _isinstance(v, list) or _isinstance(v, tuple):  # Size, namedtuples, list subclasses: the items
            items = [self.enc(x, depth + 1) for x in (_list_iter if _isinstance(v, list) else _tuple_iter)(v)]
            return items if _isinstance(v, list) else {"$": "tuple", "v": items}
        elif _isinstance(v, _GENERATOR_TYPES):  # model.parameters(): the items, as a list
            items = []
            for x in v:
                items.append(self.enc(x, depth + 1))
                if _len(items) > 100_000:
                    raise ValueError("an endless generator")
            return items
        return {"$": "ref", "key": self.key_of(v), "type": t.__name__, "callable": callable(v), "kit": _kit_class(t)}

    def enc_tensor(self, v, depth):
        if _get("_data", v).size > wire.MAX_ITEMS:
            raise ValueError("too large to send as data")
        out = self.tensor_payload(v)
        grad = _get("_grad", v)
        out.update({"$": "tensor", "key": self.key_of(v), "param": _type(v) is Parameter,
                    "sub": None if _type(v) in (Tensor, Parameter) else _type(v).__name__,
                    "grad": None if grad is None else self.tensor_payload(grad)})
        self.seen[out["key"]] = self.state_mark(v)
        return out

    @staticmethod
    def tensor_payload(v):
        fn = _get("grad_fn", v)
        return {"data": wire.npy_bytes(_asarray(_get("_data", v))), "rg": bool(_get("_requires_grad", v)),
                "fn": None if fn is None else _type(fn).__name__}

    def state_mark(self, t):
        grad = _get("_grad", t)
        return (_id(_get("_data", t)), _get("_vc", t)[0], _id(grad), None if grad is None else _get("_vc", grad)[0])

    def changed_state(self):
        out = []
        for k, mark in list(self.seen.items()):
            t = self.objs.get(k)
            if t is None or self.state_mark(t) == mark:
                continue
            self.seen[k] = self.state_mark(t)
            grad = _get("_grad", t)
            out.append({"key": k, "data": wire.npy_bytes(_asarray(_get("_data", t))), "rg": bool(_get("_requires_grad", t)),
                        "grad": None if grad is None else wire.npy_bytes(_asarray(_get("_data", grad)))})
        return out

    # ---- wire -> sandbox value (a test's arguments) ------------------------------------------
    def dec(self, v, depth=0):
        if v is None or _type(v) in (bool, int, float, str):
            return v
        if depth > wire.MAX_DEPTH:
            raise wire.WireError("nested too deeply")
        if _type(v) is list:
            return [self.dec(x, depth + 1) for x in v]
        tag = v.get("$")
        if tag == "tuple":
            return tuple(self.dec(x, depth + 1) for x in v["v"])
        if tag == "dict":
            return {self.dec(k, depth + 1): self.dec(x, depth + 1) for k, x in zip(v["k"], v["v"])}
        if tag == "float":
            return float(v["v"])
        if tag == "set":
            return set(self.dec(x, depth + 1) for x in v["v"])
        if tag == "npy":
            return wire.npy_array(v["b"])
        if tag == "npscalar":
            return wire.npy_array(v["b"])[()]
        if tag == "dtype":
            return _DTYPES[v["v"]]
        if tag == "ref":
            return self.objs[v["key"]]
        if tag == "fn":
            return FUNCTIONS[(v["mod"], v["name"])]
        if tag == "tensor":
            return self.mirror(v)
        if tag == "obj":
            obj = object.__new__(CLASSES[v["cls"]])
            obj.__dict__.update(self.dec(v["state"], depth + 1))
            return obj
        raise wire.WireError(f"unknown tag {tag!r}")

    def mirror(self, v):
        """The sandbox copy of a test's tensor, updated to the test's state (same key, same object)."""
        k = v["key"]
        t = self.objs.get(k)
        if t is None:
            t = _make(wire.npy_array(v["data"]), bool(v["rg"]))
            if v.get("param"):
                t = Parameter(t, bool(v["rg"]))
            self.objs[k] = t
            self.ids[_id(t)] = k
        self.apply(t, v)
        self.seen[k] = self.state_mark(t)
        return t

    def apply(self, t, v):
        if "data" in v:
            _set("_data", t, wire.npy_array(v["data"]))
            _set("_requires_grad", t, bool(v["rg"]))
        if "grad" in v:
            _set("_grad", t, None if v["grad"] is None else _make(wire.npy_array(v["grad"])))

    # ---- requests ------------------------------------------------------------------------------
    def handle(self, req):
        op = req.get("op")
        if op == "run":
            return self.run(req["code"])
        if op == "get":
            ns, out = self.shell.user_ns, {}
            for name in req["names"]:
                if _type(name) is str and name in ns and not name.startswith("__"):
                    out[name] = self.safe_enc(ns[name])
            return {"values": out}
        for item in req.get("sync", ()):
            t = self.objs.get(item["key"])
            if t is not None:
                self.apply(t, item)
                self.seen[item["key"]] = self.state_mark(t)
        try:
            value = self.act(op, req)
        except Exception as e:  # noqa: BLE001 - the student's code raised: report its type and text
            reply = {"error": self.describe(e)}
        else:
            reply = {"value": self.safe_enc(value)}
        reply["state"] = self.changed_state()
        return reply

    def act(self, op, req):
        if op == "grad":
            out, grad = self.objs[req["key"]], self.dec(req["grad"])
            inputs = [self.objs[k] for k in req["inputs"]]
            saved = []
            for t in inputs:
                g = _get("_grad", t)
                saved.append(None if g is None else _asarray(_get("_data", g)).copy())
            _backward([out], [grad], retain_graph=True)  # every sandbox leaf accumulates, as one graph would
            grads = []
            for k, t, before in zip(req["inputs"], inputs, saved):
                after = _get("_grad", t)
                after = None if after is None else _asarray(_get("_data", after))
                _set("_grad", t, None if before is None else _make(before))  # the test's side accumulates
                grads.append(None if after is None else (after if before is None else after - before))
                self.seen[k] = self.state_mark(t)
            return grads
        obj = self.objs[req["key"]]
        args = [self.dec(a) for a in req.get("args", ())]
        kwargs = {k: self.dec(a) for k, a in req.get("kwargs", {}).items()}
        if op == "call":
            return obj(*args, **kwargs)
        if op == "attr":
            return _getattr(obj, req["name"])
        if op == "len":
            return _len(obj)
        if op == "iter":
            return list(obj)[:100_000]
        if op == "getitem":
            return obj[args[0]]
        if op == "repr":
            return repr(obj)[:2000]
        raise wire.WireError(f"unknown op {op!r}")

    def safe_enc(self, v):
        try:
            return self.enc(v)
        except (ValueError, RecursionError, TypeError, OverflowError):
            return {"$": "ref", "key": self.key_of(v), "type": _type(v).__name__, "callable": False}

    @staticmethod
    def describe(e):
        bases = [c.__name__ for c in _type(e).__mro__ if c.__module__ == "builtins"]
        try:
            msg = str(e)[:500]
        except Exception:  # noqa: BLE001
            msg = ""
        return {"type": _type(e).__name__[:60], "builtin": bases[0] if bases else "Exception", "msg": msg}

    def run(self, code):
        result = self.shell.run_cell(code, store_history=True)
        err = result.error_before_exec or result.error_in_exec
        if err is None:
            return {"status": "ok"}
        return {"status": "error", **self.describe(err)}

    def serve(self):
        pid = os.getpid()
        while True:
            try:
                req = wire.recv(self.sock)
            except EOFError:
                return
            try:
                reply = self.handle(req)
            except (wire.WireError, KeyError, TypeError, ValueError, AttributeError) as e:
                reply = {"error": {"type": "ProtocolError", "builtin": "Exception", "msg": f"{type(e).__name__}: {e}"[:300]}}
            if os.getpid() != pid:  # a process the student forked came back out of their code: it is not the agent
                os._exit(0)
            try:
                wire.send(self.sock, reply)
            except (wire.WireError, TypeError, ValueError) as e:
                wire.send(self.sock, {"error": {"type": "ProtocolError", "builtin": "Exception", "msg": str(e)[:300]}})


def make_shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config
    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    return InteractiveShell.instance(config=config)


def main(fd):
    sock = socket.socket(fileno=fd)
    import random
    random.seed(0)
    np.random.seed(0)
    autograd_kit.manual_seed(0)  # the same grade on every run
    shell = make_shell()
    agent = Agent(sock, shell)
    os.set_inheritable(fd, False)
    wire.send(sock, {"ready": True, "pid": os.getpid()})
    agent.serve()


if __name__ == "__main__":
    main(int(sys.argv[1]))
