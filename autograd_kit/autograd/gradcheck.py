"""gradcheck: compare the engine's gradients with finite differences (PyTorch's defaults, float64)."""
import warnings

import numpy as np



class GradcheckError(RuntimeError):
    pass


_NO_INPUT = ("gradcheck expects at least one input tensor to require gradient, but none of them have "
             "requires_grad=True.")


def _outputs(fn, inputs):
    out = fn(*inputs)
    return out if isinstance(out, tuple) else (out,)


def _numerical_jacobian(fn, inputs, i, out_index, eps):
    x = inputs[i]
    flat = x._data.reshape(-1)
    cols = []
    for k in range(flat.size):
        orig = flat[k]
        flat[k] = orig + eps
        plus = _outputs(fn, inputs)[out_index]._data.astype(np.float64).reshape(-1)
        flat[k] = orig - eps
        minus = _outputs(fn, inputs)[out_index]._data.astype(np.float64).reshape(-1)
        flat[k] = orig
        cols.append((plus - minus) / (2 * eps))
    return np.stack(cols, axis=0) if cols else np.zeros((0, 0))  # rows: input elements


def _analytical_jacobian(fn, inputs, i, out_index):
    from . import grad as _grad
    from .. import _tensor
    outs = _outputs(fn, inputs)
    out = outs[out_index]
    n_out = out._data.size
    rows = []
    for j in range(n_out):
        seed = np.zeros(n_out, dtype=out._data.dtype)
        seed[j] = 1
        g, = _grad(out, inputs[i], _tensor.Tensor._make(seed.reshape(out._data.shape)), retain_graph=True,
                   allow_unused=True)
        rows.append(np.zeros(inputs[i]._data.size) if g is None else g._data.astype(np.float64).reshape(-1))
    return np.stack(rows, axis=1) if rows else np.zeros((inputs[i]._data.size, 0))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **kw):
    """True if analytical and numerical Jacobians agree for every input that requires grad."""
    from .._tensor import Tensor
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        raise ValueError(_NO_INPUT)
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x._data.dtype != np.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating point "
                          "or complex. ", UserWarning, stacklevel=2)
    outs = _outputs(func, inputs)
    for oi, out in enumerate(outs):
        if not isinstance(out, Tensor) or not out.requires_grad:
            continue
        for i, x in enumerate(inputs):
            if not isinstance(x, Tensor) or not x.requires_grad:
                continue
            num = _numerical_jacobian(func, inputs, i, oi, eps)
            ana = _analytical_jacobian(func, inputs, i, oi)
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                if raise_exception:
                    num, ana = (Tensor._make(m.astype(x._data.dtype)) for m in (num, ana))  # printed as PyTorch does
                    raise GradcheckError(
                        f"Jacobian mismatch for output {oi} with respect to input {i},\n"
                        f"numerical:{num}\nanalytical:{ana}\n")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **kw):
    """gradcheck of the first derivative (which is itself built with create_graph=True)."""
    from .._tensor import Tensor
    from . import grad as _grad
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError(_NO_INPUT)
    rng = np.random.default_rng(0)

    def first(*xs):
        outs = _outputs(func, xs)
        seeds = [Tensor._make(rng_fixed[k]) for k in range(len(outs))]
        gs = _grad(outs, [x for x in xs if isinstance(x, Tensor) and x.requires_grad], seeds,
                   create_graph=True, allow_unused=True, materialize_grads=True)
        return tuple(gs)

    outs = _outputs(func, inputs)
    rng_fixed = [rng.standard_normal(o._data.shape) .astype(o._data.dtype) for o in outs]
    return gradcheck(first, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
