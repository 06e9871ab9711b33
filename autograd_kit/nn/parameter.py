"""nn.Parameter: a leaf Tensor that a Module registers as one of its parameters."""
import autograd_kit as ak


class Parameter(ak.Tensor):
    """A Tensor that is a Module parameter: a leaf with ``requires_grad=True`` by default.

    Assigning one as a Module attribute registers it, so it shows up in ``parameters()``.
    Like PyTorch, ``Parameter(t)`` shares ``t``'s storage rather than copying it.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = ak.empty(0)
        if requires_grad and not data.dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        make_subclass = getattr(ak.Tensor, "_make_subclass", None)
        if make_subclass is not None:
            return make_subclass(cls, data, requires_grad)
        # Share the array and the in-place version counter, as PyTorch's _make_subclass does.
        param = object.__new__(cls)
        ak.Tensor._init(param, data._data, bool(requires_grad), None, data._vc)
        return param

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happens in __new__, as in PyTorch

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__  # print(param) shows the header too, as in PyTorch

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.data.clone(), self.requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)
