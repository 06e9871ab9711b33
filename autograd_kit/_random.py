"""Random tensors: PyTorch 2.13's CPU numbers, bit for bit, after ``torch.manual_seed(s)``.

The generator is ``_generator.Generator`` (mt19937 as ATen seeds it); the algorithms are in ``_sampling``.
Bit-identical to PyTorch on x86-64 (the AVX2 kernel, which PyTorch also uses on AVX-512 machines):
rand, randn, randint, randperm, normal, bernoulli, multinomial, the in-place fills, dropout masks and nn.init.
"""
import numpy as np

from . import _dtype, _sampling
from ._creation import _dt, _finish, _size
from ._generator import (Generator, default_generator, manual_seed, seed, initial_seed, get_rng_state,  # noqa: F401
                         set_rng_state, _gen)
from ._tensor import Tensor


# ---- filling an array as ATen's kernels do (values in memory order) -------------------------------
def _filled(arr, draw):
    """Values for ``arr`` from ``draw(n, contiguous)``, placed in the order ATen writes them: memory order."""
    if arr.flags.c_contiguous or arr.ndim < 2:
        return draw(arr.size, arr.flags.c_contiguous).reshape(arr.shape)
    perm = sorted(range(arr.ndim), key=lambda d: -abs(arr.strides[d]))
    vals = draw(arr.size, False).reshape([arr.shape[d] for d in perm])
    return vals.transpose(np.argsort(perm))


def _num(v):
    """A bound as PyTorch prints it in its errors (1.0 -> 1)."""
    return int(v) if float(v).is_integer() else v


def _uniform_values(arr, low=0.0, high=1.0, generator=None):
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_num(low)} > "
                           f"to={_num(high)}")
    g = _gen(generator)
    return _filled(arr, lambda n, c: _sampling.uniform(g, n, arr.dtype, low, high))


def _normal_values(arr, mean=0.0, std=1.0, generator=None):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
    g = _gen(generator)
    return _filled(arr, lambda n, c: _sampling.normal(g, n, arr.dtype, mean, std, contiguous=c))


def _bernoulli_values(arr, p=0.5, generator=None):
    g = _gen(generator)
    if isinstance(p, Tensor):
        return _sampling.bernoulli_tensor(g, np.broadcast_to(p._data, arr.shape), arr.dtype)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
    return _filled(arr, lambda n, c: _sampling.bernoulli_scalar(g, n, p, arr.dtype))


def _random_values(arr, args, kw, generator=None):
    """``random_()``, ``random_(to)``, ``random_(from, to)``; ``random_(from, None)`` goes up to the dtype's max."""
    g = _gen(generator)
    if len(args) > 2 or set(kw) - {"from", "to"} or (len(args) + len(kw) == 1 and "from" in kw) \
            or (args and "from" in kw):
        raise _dtype.bad_args("random_", args, kw)
    if len(args) == 2 or "from" in kw or (args and "to" in kw):
        low, high = (args + (kw.get("to"),))[:2] if args else (kw["from"], kw.get("to"))
    elif args or "to" in kw:
        low, high = 0, args[0] if args else kw["to"]
    else:
        return _filled(arr, lambda n, c: _sampling.random_default(g, n, arr.dtype))
    if high is None:
        kind = arr.dtype.kind
        if low == np.iinfo(np.int64).min and arr.dtype == np.int64:
            return _filled(arr, lambda n, c: g._random64(n).view(np.int64))
        high = 2 if kind == "b" else (1 << _sampling._DIGITS[arr.dtype.name]) + 1 if kind == "f" \
            else int(np.iinfo(arr.dtype).max) + 1
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return _filled(arr, lambda n, c: _sampling.random_from_to(g, n, low, high, arr.dtype))


def _exponential_values(arr, lambd=1.0, generator=None):
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")
    g = _gen(generator)
    return _filled(arr, lambda n, c: _sampling.exponential(g, n, lambd, arr.dtype))


def _dist_values(arr, sampler, *args, generator=None):
    """Values of ``_sampling.<sampler>(gen, n, *args, dtype)`` for ``cauchy_``, ``geometric_``, ``log_normal_``."""
    g = _gen(generator)
    return _filled(arr, lambda n, c: getattr(_sampling, sampler)(g, n, *args, arr.dtype))


def _dropout_mask(shape, dtype, p, generator=None):
    """F.dropout's multiplier: ``bernoulli_(1 - p)`` divided by ``1 - p`` in the input's float type."""
    keep = _sampling.bernoulli_scalar(_gen(generator), int(np.prod(shape)), 1 - p, dtype).reshape(shape)
    return keep / np.asarray(1 - p, dtype)


# ---- creation functions ---------------------------------------------------------------------------
def _size_arg(fname, size, kw, keywords):
    """The shape from ``*size`` or ``size=``; anything else is PyTorch's invalid-combination TypeError
    (or, when only keywords such as dtype= were given, its missing-argument TypeError)."""
    if "size" in kw and not size:
        size = (kw.pop("size"),)
    if not size and not kw and keywords:
        raise TypeError(f'{fname}() missing 1 required positional arguments: "size"')
    if not size or kw:
        raise _dtype.bad_args(fname, size, kw)
    return _size(size)


def _result(arr, requires_grad, out):
    """A new tensor, or with ``out=`` the values written into ``out`` (resized if needed), as PyTorch does."""
    if out is None:
        return _finish(arr, requires_grad)
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {_dtype.py_typename(out)}")
    if out._data.shape != arr.shape:
        out._data = np.empty(arr.shape, out._data.dtype)
    out._write(arr.astype(out._data.dtype, copy=False))
    return out


def _out_dtype(dtype, out):
    return out.dtype if dtype is None and isinstance(out, Tensor) else dtype


def _checked(fname, args, dtype):
    try:
        return _dtype.check_dtype(dtype, fname)
    except TypeError:
        raise _dtype.bad_args(fname, args, {"dtype": dtype}) from None


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
         pin_memory=False, **kw):
    """Uniform on [0, 1): ``torch.rand(2, 3)``, ``torch.rand((2, 3))`` or ``torch.rand(size=(2, 3))``."""
    dtype = _checked("rand", size, _out_dtype(dtype, out))
    keywords = (dtype, device, generator, out, layout) != (None,) * 5 or requires_grad or pin_memory
    shape = _size_arg("rand", size, kw, keywords)
    arr = _sampling.uniform(_gen(generator), int(np.prod(shape)), _dt(dtype)).reshape(shape)
    return _result(arr, requires_grad, out)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          pin_memory=False, **kw):
    """Standard normal: ``torch.randn(2, 3)``, ``torch.randn((2, 3))`` or ``torch.randn(size=(2, 3))``."""
    dtype = _checked("randn", size, _out_dtype(dtype, out))
    keywords = (dtype, device, generator, out, layout) != (None,) * 5 or requires_grad or pin_memory
    shape = _size_arg("randn", size, kw, keywords)
    arr = _sampling.normal(_gen(generator), int(np.prod(shape)), _dt(dtype)).reshape(shape)
    return _result(arr, requires_grad, out)


def randint(*args, low=None, high=None, size=None, generator=None, dtype=None, device=None, requires_grad=False,
            out=None):
    """``randint(high, size)`` or ``randint(low, high, size)``, with PyTorch's argument errors."""
    dtype = _checked("randint", args, _out_dtype(dtype, out))
    pos = list(args)
    if size is None and len(pos) >= 2:
        size = pos.pop()
        where = f" (position {len(args)})"
    else:
        where = ""
    if size is None:
        raise _dtype.bad_args("randint", args, {})
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size'{where} must be tuple of ints, not {_dtype.py_typename(size)}")
    if len(pos) == 2:
        low, high = pos
    elif len(pos) == 1:
        high = pos[0]
    low = 0 if low is None else int(low)
    if high is None:
        raise _dtype.bad_args("randint", args, {})
    if low >= int(high):
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={int(high)}")
    shape = _size((size,))
    arr = _sampling.random_from_to(_gen(generator), int(np.prod(shape)), low, int(high), _dt(dtype, _dtype.int64))
    return _result(arr.reshape(shape), requires_grad, out)


def randperm(n=None, *, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    dtype = _checked("randperm", (n,), _out_dtype(dtype, out))
    if n is None:
        raise _dtype.bad_args("randperm", (), {})
    if int(n) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {int(n)}: [{int(n)}]")
    return _result(_sampling.randperm(_gen(generator), n).astype(_dt(dtype, _dtype.int64)), requires_grad, out)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, generator=None):
    return rand(tuple(input.shape), dtype=dtype or input.dtype, requires_grad=requires_grad, generator=generator)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, generator=None):
    return randn(tuple(input.shape), dtype=dtype or input.dtype, requires_grad=requires_grad, generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False, memory_format=None,
                 generator=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, requires_grad=requires_grad,
                   generator=generator)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False,
           out=None):
    """``normal(mean, std, size)`` with numbers, or elementwise with tensor ``mean`` and/or ``std``:
    as in PyTorch, standard normals (scaled by a number std) then ``* std`` and ``+ mean``."""
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mt or st):
        shape = _size((size,))
        dtype = _dt(_checked("normal", (), _out_dtype(dtype, out)))
        arr = _sampling.normal(_gen(generator), int(np.prod(shape)), dtype, mean, std)
        return _result(arr.reshape(shape), requires_grad, out)
    if st and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    like = mean if mt else std
    shape = np.broadcast_shapes(mean.shape if mt else (), std.shape if st else ())
    n = int(np.prod(shape))
    z = _sampling.normal(_gen(generator), n, like._data.dtype, 0.0, 1.0 if st else std).reshape(shape)
    if st:
        z = z * std._data.astype(z.dtype, copy=False)
    m = mean._data.astype(z.dtype, copy=False) if mt else np.asarray(mean, z.dtype)
    return Tensor._make((z + m).astype(z.dtype, copy=False))


def bernoulli(input, p=None, *, generator=None, out=None):
    """Draw 0/1 with probability ``input`` (or the number ``p``) per element, in ``input``'s dtype."""
    g = _gen(generator)
    if p is None:
        if ((input._data < 0) | (input._data > 1)).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                               "be improved?  If so, please report an enhancement request to PyTorch.)")
        return Tensor._make(_sampling.bernoulli_tensor(g, input._data, input._data.dtype))
    return Tensor._make(_filled(input._data, lambda n, c: _sampling.bernoulli_scalar(g, n, p, input._data.dtype)))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Sample category indices with the row probabilities ``input`` (PyTorch's algorithm and errors)."""
    p = input._data
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if p.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_dtype.from_numpy_dtype(p.dtype)}".replace("torch.", ""))
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.isfinite(p).all() or (p < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (p.sum(-1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    return Tensor._make(_sampling.multinomial(_gen(generator), p, int(num_samples), replacement))
