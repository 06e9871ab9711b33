"""``torch.autograd.Variable``: the pre-0.4 wrapper, today a plain tensor (old tutorials still import it).

``Variable(t, requires_grad=True)`` returns a new leaf sharing ``t``'s data, as PyTorch's legacy constructor;
``isinstance(x, Variable)`` is true of every tensor."""
import warnings


class VariableMeta(type):
    def __instancecheck__(cls, other):
        from .._tensor import Tensor
        return isinstance(other, Tensor)


class Variable(metaclass=VariableMeta):
    def __new__(cls, data=None, requires_grad=False, volatile=False):
        from .._tensor import Tensor
        import numpy as np
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          UserWarning, stacklevel=2)
        if data is None:
            data = Tensor._make(np.zeros((0,), np.float32))
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out
