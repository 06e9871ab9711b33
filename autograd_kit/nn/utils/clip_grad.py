"""nn.utils.clip_grad: gradient clipping, as ``torch.nn.utils.clip_grad`` (PyTorch 2.13).

PyTorch's order of operations on the CPU (its foreach path there runs one tensor at a time)::

    norms = [vector_norm(g, norm_type) for g in grads]            (grouped by dtype, first-seen order)
    total_norm = vector_norm(stack(norms), norm_type)
    clip_coef = max_norm / (total_norm + 1e-6)                       (= reciprocal(total_norm + 1e-6) * max_norm)
    g.mul_(clamp(clip_coef, max=1.0))                                (a 0-d tensor: every grad is scaled, even by 1)
"""
import types
import warnings

import autograd_kit as ak

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _tensors(tensors):
    return [tensors] if isinstance(tensors, ak.Tensor) else list(tensors)


def _by_dtype(tensors):
    """Tensors grouped by dtype, groups in first-seen order (PyTorch groups by device and dtype)."""
    groups = {}
    for t in tensors:
        groups.setdefault(t.dtype, []).append(t)
    return groups.values()


def _check_foreach(foreach):
    if foreach is not None and not isinstance(foreach, bool):
        raise TypeError(f"foreach must be a bool or None, but got {type(foreach).__name__}")


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type`` norm of all the tensors together, as if concatenated into one vector."""
    _check_foreach(foreach)
    tensors = _tensors(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return ak.tensor(0.0)
    with ak.no_grad():
        norms = [ak.linalg.vector_norm(t, norm_type) for group in _by_dtype(tensors) for t in group]
        total_norm = ak.linalg.vector_norm(ak.stack(norms), norm_type)
    if error_if_nonfinite and bool(ak.logical_or(total_norm.isnan(), total_norm.isinf())):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    return total_norm


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the parameters' gradients by ``max_norm / (total_norm + 1e-6)`` when that is below 1."""
    _check_foreach(foreach)
    grads = [p.grad for p in _tensors(parameters) if p.grad is not None]
    max_norm = float(max_norm)
    if len(grads) == 0:
        return
    with ak.no_grad():
        clip_coef = max_norm / (total_norm + 1e-6)
        clip_coef_clamped = ak.clamp(clip_coef, max=1.0)
        for group in _by_dtype(grads):
            for g in group:
                g.mul_(clip_coef_clamped)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradients' total norm to ``max_norm`` in place; return the total norm (before clipping)."""
    if isinstance(parameters, ak.Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)  # a generator is read once
        if is_generator and len(parameters) == 0:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of :func:`clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into ``[-clip_value, clip_value]`` in place."""
    _check_foreach(foreach)
    clip_value = float(clip_value)
    with ak.no_grad():
        for p in _tensors(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
