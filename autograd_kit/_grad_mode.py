"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (context managers and decorators)."""
import functools
import inspect

# One mutable cell read by every op: is the graph being recorded?
_enabled = [True]
_inference = [False]
_inference_used = [False]  # set once inference_mode has been entered: before that no tensor is an inference tensor


def is_grad_enabled():
    return _enabled[0]


def is_inference_mode_enabled():
    return _inference[0]


class _Mode:
    """Base of the grad-mode context managers; each also works as a decorator."""

    def __call__(self, fn):
        if inspect.isclass(fn):
            raise TypeError("grad mode decorators apply to functions, not classes")
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                value = None
                while True:
                    with self.clone():
                        try:
                            value = gen.send(value)
                        except StopIteration as stop:
                            return stop.value
                    value = yield value
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False


class _NoParamMode(_Mode):
    """Usable as ``@no_grad`` as well as ``@no_grad()``, as in PyTorch."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamMode):
    """Disable gradient recording inside the block: results have ``requires_grad=False``."""

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = False


class enable_grad(_NoParamMode):
    """Re-enable gradient recording inside a ``no_grad`` block."""

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = True


class set_grad_enabled(_Mode):
    """Set recording on or off; takes effect at once, and also works as a context manager.

    As a decorator (``@set_grad_enabled(False)``) it only applies inside the function: the call that
    built it had switched the mode at once, so decorating switches it back, as PyTorch does."""

    def __init__(self, mode):
        self._prev = _enabled[0]
        self.mode = bool(mode)
        _enabled[0] = self.mode

    def __call__(self, fn):
        _enabled[0] = self._prev
        return super().__call__(fn)

    def __enter__(self):
        _enabled[0] = self.mode

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_Mode):
    """Like ``no_grad``; tensors made inside are inference tensors (``is_inference()`` is True)."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # bare ``@inference_mode``

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __enter__(self):
        self._prev = _enabled[0]
        self._prev_inf = _inference[0]
        if self.mode:
            _enabled[0] = False
            _inference[0] = True
            _inference_used[0] = True

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        _inference[0] = self._prev_inf
        return False

    def clone(self):
        return self.__class__(self.mode)
