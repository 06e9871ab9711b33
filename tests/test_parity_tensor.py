"""Tensor basics against PyTorch 2.13: grad modes, dtype arguments, Size and device, in-place checks,
NumPy conversion, warnings and error messages. Each test runs the same code on both libraries."""
import re
import warnings

import numpy as np
import pytest
import torch

import autograd_kit as ak

LIBS = pytest.mark.parametrize("lib", [torch, ak], ids=["torch", "kit"])


def first_line(exc):
    return str(exc).split("\n")[0]


def error_of(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib)
    return type(info.value).__name__, first_line(info.value)


def same_error(fn):
    """``fn(lib)`` fails on both with the same exception type and first line (the kit may add a Hint)."""
    assert error_of(fn, ak) == error_of(fn, torch)


def messages(fn, lib):
    """The warnings ``fn(lib)`` emits, without PyTorch's '(Triggered internally at ...)' suffix."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(lib)
    return [(w.category.__name__, re.sub(r" \(Triggered internally at .*\)$", "", str(w.message))) for w in caught]


def same_warnings(fn):
    expected = messages(fn, torch)
    assert expected, "PyTorch should warn here"
    assert messages(fn, ak) == expected


def same_repr(fn):
    assert repr(fn(ak)) == repr(fn(torch))


def leaf(lib):
    return lib.tensor([1.0, 2.0], requires_grad=True)


# ---- 1. grad modes as decorators and context managers -----------------------------------------
def _decorated_modes(lib):
    @lib.set_grad_enabled(False)
    def off():
        return lib.is_grad_enabled()

    after_definition = lib.is_grad_enabled()

    @lib.no_grad()
    def gen():
        yield lib.is_grad_enabled()
        yield lib.is_grad_enabled()

    @lib.inference_mode
    def bare():
        return lib.is_inference_mode_enabled()

    @lib.inference_mode()
    def called():
        return lib.is_inference_mode_enabled()

    with lib.no_grad():
        @lib.enable_grad()
        def on():
            return lib.is_grad_enabled()
        inside = on()
    with lib.set_grad_enabled(False):
        in_block = lib.is_grad_enabled()
    return (after_definition, off(), lib.is_grad_enabled(), list(gen()), lib.is_grad_enabled(), bare(), called(),
            lib.is_inference_mode_enabled(), inside, in_block, lib.is_grad_enabled())


def test_grad_mode_decorators_apply_only_inside_the_function():
    assert _decorated_modes(ak) == _decorated_modes(torch)
    assert ak.is_grad_enabled()


@LIBS
def test_set_grad_enabled_called_as_a_function_switches_at_once(lib):
    lib.set_grad_enabled(False)
    try:
        assert not lib.is_grad_enabled()
    finally:
        lib.set_grad_enabled(True)
    assert lib.is_grad_enabled()


# ---- 2. dtype arguments ---------------------------------------------------------------------------
FACTORIES = {
    "tensor": lambda lib, d: lib.tensor([1, 2], dtype=d),
    "zeros": lambda lib, d: lib.zeros(2, dtype=d),
    "ones": lambda lib, d: lib.ones(2, dtype=d),
    "full": lambda lib, d: lib.full((2,), 1, dtype=d),
    "empty": lambda lib, d: lib.empty(2, dtype=d).zero_(),
    "zeros_like": lambda lib, d: lib.zeros_like(lib.ones(2), dtype=d),
    "ones_like": lambda lib, d: lib.ones_like(lib.ones(2), dtype=d),
    "full_like": lambda lib, d: lib.full_like(lib.ones(2), 1, dtype=d),
    "as_tensor": lambda lib, d: lib.as_tensor([1, 2], dtype=d),
    "arange": lambda lib, d: lib.arange(3, dtype=d),
    "linspace": lambda lib, d: lib.linspace(0, 1, 3, dtype=d),
    "eye": lambda lib, d: lib.eye(2, dtype=d),
    "to": lambda lib, d: lib.tensor([1.5, 2.0]).to(d),
    "to(dtype=)": lambda lib, d: lib.tensor([1.5, 2.0]).to(dtype=d),
    "new_zeros": lambda lib, d: lib.ones(2).new_zeros(2, dtype=d),
}


# integer linspace and bool arange are questions about those ops, not about dtype arguments: left out
TYPE_CASES = [(name, t) for name in sorted(FACTORIES) for t in (float, int, bool)
              if name not in ("linspace", "arange") or t is float]


@pytest.mark.parametrize("name,pytype", TYPE_CASES, ids=[f"{n}-{t.__name__}" for n, t in TYPE_CASES])
def test_python_types_as_dtype(name, pytype):
    same_repr(lambda lib: FACTORIES[name](lib, pytype))


@pytest.mark.parametrize("bad", [np.float64, "float64", np.dtype("float64")], ids=["np.float64", "str", "np.dtype"])
@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_numpy_dtypes_are_rejected_as_pytorch_does(name, bad):
    same_error(lambda lib: FACTORIES[name](lib, bad))


@pytest.mark.parametrize("call", [lambda lib: lib.randn(2, dtype=np.float64), lambda lib: lib.rand(2, dtype=np.float32),
                                  lambda lib: lib.randint(0, 3, (2,), dtype=np.int64),
                                  lambda lib: lib.tensor([1.0]).type(float),
                                  lambda lib: lib.tensor([1.0]).type(np.float64),
                                  lambda lib: lib.ones(2).to(np.float64, copy=True)])
def test_more_dtype_errors(call):
    same_error(call)


def test_dtype_float_is_float64_even_with_float32_default():
    same_repr(lambda lib: lib.randn(2, dtype=float).dtype)
    same_repr(lambda lib: lib.tensor([1.0]).double().to(float).dtype)


# ---- 3. torch.Size, device, new_* ---------------------------------------------------------------
SIZES = [lambda x: x.shape[1:], lambda x: x.shape + (3,), lambda x: (3,) + x.shape, lambda x: x.size()[::-1],
         lambda x: x.shape * 2, lambda x: x.shape[0], lambda x: x.shape == (2, 3), lambda x: x.shape.numel()]


@pytest.mark.parametrize("i", range(len(SIZES)))
def test_size_arithmetic_keeps_size(i):
    got, want = SIZES[i](ak.ones(2, 3)), SIZES[i](torch.ones(2, 3))
    assert (repr(got), str(got)) == (repr(want), str(want))


DEVICES = [lambda lib: lib.ones(2).device, lambda lib: lib.device("cpu"), lambda lib: lib.device("cpu", 0),
           lambda lib: lib.device("cuda"), lambda lib: lib.device("cpu:0"), lambda lib: lib.ones(2).device.type,
           lambda lib: lib.ones(2).device.index, lambda lib: lib.ones(2).device == lib.device("cpu"),
           lambda lib: lib.ones(2).device == "cpu", lambda lib: lib.zeros(2, device=lib.device("cpu")),
           lambda lib: lib.ones(2).to(lib.device("cpu"), lib.float64), lambda lib: lib.ones(2).to("cpu")]


@pytest.mark.parametrize("i", range(len(DEVICES)))
def test_device(i):
    got, want = DEVICES[i](ak), DEVICES[i](torch)
    assert (repr(got), str(got)) == (repr(want), str(want))


NEW = [lambda lib: lib.tensor([1.0, 2]).new_tensor([1, 2]), lambda lib: lib.tensor([1, 2]).new_tensor([1.5, 2]),
       lambda lib: lib.tensor([1.0, 2]).new_tensor([1, 2], dtype=lib.int64),
       lambda lib: lib.tensor([1.0, 2]).new_tensor(np.array([1, 2])),
       lambda lib: lib.tensor([1.0, 2]).new_zeros(2, 3), lambda lib: lib.tensor([1, 2]).new_ones((2,)),
       lambda lib: lib.tensor([1.0], dtype=lib.float64).new_full((2,), 3),
       lambda lib: leaf(lib).new_tensor([1, 2]), lambda lib: lib.tensor([1.0]).new_zeros(2, requires_grad=True)]


@pytest.mark.parametrize("i", range(len(NEW)))
def test_new_tensor_family_takes_dtype_from_self(i):
    same_repr(NEW[i])


def test_new_tensor_of_a_tensor_warns_like_pytorch():
    same_warnings(lambda lib: lib.ones(2).new_tensor(lib.tensor([1, 2])))


# ---- 4. in-place checks and grad_fn names -------------------------------------------------------
def _setitem(lib):
    x = leaf(lib)
    x[0] = 1.0


INPLACE_ERRORS = [_setitem, lambda lib: leaf(lib).fill_(1), lambda lib: leaf(lib).zero_(),
                  lambda lib: leaf(lib).normal_(), lambda lib: leaf(lib).uniform_(),
                  lambda lib: leaf(lib).copy_(lib.ones(2)), lambda lib: leaf(lib).bernoulli_(),
                  lambda lib: leaf(lib).random_(3), lambda lib: leaf(lib).add_(1),
                  lambda lib: lib.tensor([1, 2], requires_grad=True),
                  lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
                  lambda lib: lib.tensor([1, 2]).requires_grad_(),
                  lambda lib: setattr(lib.tensor([1, 2]), "requires_grad", True)]


@pytest.mark.parametrize("i", range(len(INPLACE_ERRORS)))
def test_inplace_and_requires_grad_errors(i):
    same_error(INPLACE_ERRORS[i])


@pytest.mark.parametrize("how", ["attribute", "method"])
def test_requires_grad_on_an_inference_tensor_outside_inference_mode(how):
    def fn(lib):
        with lib.inference_mode():
            t = lib.ones(2)
        if how == "attribute":
            t.requires_grad = True
        else:
            t.requires_grad_()
    same_error(fn)


@LIBS
def test_inplace_on_a_leaf_is_fine_under_no_grad(lib):
    x = leaf(lib)
    with lib.no_grad():
        x.fill_(2)
        x[0] = 1.0
        x.normal_()
        x.zero_()
    assert x.requires_grad and x.is_leaf and x.tolist() == [0.0, 0.0]


GRAD_FNS = [lambda w, lib: w.zero_(), lambda w, lib: w.fill_(3), lambda w, lib: w.fill_(lib.tensor(3.0)),
            lambda w, lib: w.copy_(lib.ones(2)), lambda w, lib: w.copy_(lib.ones(2, requires_grad=True)),
            lambda w, lib: w.normal_(), lambda w, lib: w.uniform_()]


@pytest.mark.parametrize("i", range(len(GRAD_FNS)))
def test_grad_fn_names_of_inplace_ops_on_non_leaves(i):
    def run(lib):
        lib.manual_seed(0)
        w = GRAD_FNS[i](leaf(lib) * 1, lib)
        w.sum().backward()
        return w.grad_fn.name(), w.requires_grad
    assert run(ak) == run(torch)


def test_inplace_fill_and_copy_gradients():
    def run(lib):
        x, v = leaf(lib), lib.tensor(3.0, requires_grad=True)
        src = lib.ones(2, requires_grad=True)
        ((x * 1).fill_(v) * 2).sum().backward()
        ((x * 1).copy_(src * 5) * 2).sum().backward()
        return x.grad.tolist(), v.grad.item(), src.grad.tolist()
    assert run(ak) == run(torch)


def test_grad_after_backward_with_create_graph():
    def run(lib):
        a, b = leaf(lib), leaf(lib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (a ** 2).sum().backward(create_graph=True)
            (b * 3).sum().backward(create_graph=True)
        first = repr(a.grad)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (a ** 2).sum().backward(create_graph=True)
        return first, repr(a.grad), repr(b.grad)
    assert run(ak) == run(torch)


def test_create_graph_warning_text():
    # PyTorch warns once per process (so the text is written here); the kit too.
    ak.autograd._cycle_warned[0] = False
    got = messages(lambda lib: (leaf(lib) ** 2).sum().backward(create_graph=True), ak)
    assert got == [("UserWarning", (
        "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
        "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to avoid "
        "this. If you have to use this function, make sure to reset the .grad fields of your parameters to None "
        "after use to break the cycle and avoid the leak."))]
    assert messages(lambda lib: (leaf(lib) ** 2).sum().backward(create_graph=True), ak) == []


# ---- 5. implicit NumPy conversion --------------------------------------------------------------
NUMPY = [lambda lib: np.array(leaf(lib)), lambda lib: np.asarray(leaf(lib)), lambda lib: np.asarray(leaf(lib) * 2),
         lambda lib: np.asarray(leaf(lib), dtype=np.float64), lambda lib: np.exp(leaf(lib)),
         lambda lib: leaf(lib).numpy()]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PyTorch's own __array__ lacks copy=
@pytest.mark.parametrize("i", range(len(NUMPY)))
def test_numpy_of_a_tensor_requiring_grad_fails(i):
    same_error(NUMPY[i])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@LIBS
def test_numpy_after_detach(lib):
    assert np.asarray(leaf(lib).detach()).tolist() == [1.0, 2.0]
    assert np.array(lib.ones(2) * 2).dtype == np.float32


# ---- 6. warnings --------------------------------------------------------------------------------
WARNS = [lambda lib: lib.tensor(leaf(lib)), lambda lib: lib.tensor(lib.ones(2)), lambda lib: (leaf(lib) * 2).grad,
         lambda lib: lib.ones(2, 3, 4).T, lambda lib: lib.tensor(1.0).T,
         lambda lib: lib.tensor([leaf(lib)[0], leaf(lib)[1]]),
         lambda lib: lib.autograd.gradcheck(lambda x, y: x * y, (leaf(lib), leaf(lib).double()), raise_exception=False)]


@pytest.mark.parametrize("i", range(len(WARNS)))
def test_warning_texts(i):
    same_warnings(WARNS[i])


@pytest.mark.parametrize("fn", [lambda lib: lib.ones(3).T, lambda lib: lib.ones(2, 3).T, lambda lib: leaf(lib).grad,
                                lambda lib: lib.tensor([]).mean(), lambda lib: lib.zeros(0, 3).mean(0),
                                lambda lib: lib.tensor([]).sum()])
def test_no_warning(fn):
    assert messages(fn, ak) == messages(fn, torch) == []
    same_repr(fn)


# ---- 7. errors ----------------------------------------------------------------------------------
class _Grads:
    """Custom Functions whose backward returns the wrong number or shape of gradients."""

    @staticmethod
    def make(lib):
        class Sq(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return g

        class Sq2(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g[:1]

        class Sq4(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g.sum()
        return Sq, Sq2, Sq4


def _assign_grad(value):
    def fn(lib):
        leaf(lib).grad = value(lib)
    return fn


ERRORS = [
    lambda lib: int(lib.tensor([3.7, 2.0])), lambda lib: float(lib.tensor([3.7, 2.0])),
    lambda lib: lib.tensor([3.7, 2.0]).item(),
    lambda lib: lib.tensor([[1, 2], [3]]), lambda lib: lib.tensor([[1, 2], 3]), lambda lib: lib.tensor([1.5, [2]]),
    lambda lib: lib.tensor([[[1, 2]], [[3]]]), lambda lib: lib.tensor([[1, 2], []]),
    lambda lib: lib.tensor(None), lambda lib: lib.tensor([1, None]), lambda lib: lib.tensor({1: 2}),
    lambda lib: lib.tensor("a"), lambda lib: lib.tensor(["a"]), lambda lib: lib.tensor([1, "a"]),
    lambda lib: lib.tensor(2 ** 63), lambda lib: lib.tensor([2 ** 63]), lambda lib: lib.tensor(-2 ** 63 - 1),
    lambda lib: lib.tensor([lib.ones(2), lib.ones(2)]),
    lambda lib: (leaf(lib) * 2).sum().backward(inputs=[]),
    lambda lib: lib.autograd.grad((leaf(lib) * 2).sum(), []),
    lambda lib: (leaf(lib) * 2).backward([1.0, 1.0]),
    lambda lib: lib.autograd.backward([(leaf(lib) * 2).sum()], [2.0]),
    _assign_grad(lambda lib: lib.ones(3)), _assign_grad(lambda lib: lib.ones(2, 1)),
    _assign_grad(lambda lib: lib.ones(2, dtype=lib.float64)), _assign_grad(lambda lib: lib.ones(2, dtype=lib.int64)),
    _assign_grad(lambda lib: [1.0, 2.0]),
    lambda lib: (lambda x: _Grads.make(lib)[0].apply(x, x).sum().backward())(leaf(lib)),
    lambda lib: (lambda x: _Grads.make(lib)[0].apply(x, 2.0).sum().backward())(leaf(lib)),
    lambda lib: _Grads.make(lib)[1].apply(leaf(lib)).sum().backward(),
    lambda lib: _Grads.make(lib)[1].apply(leaf(lib).view(2, 1)).sum().backward(),
    lambda lib: _Grads.make(lib)[2].apply(leaf(lib)).sum().backward(),
    lambda lib: lib.autograd.gradcheck(lambda x: x * 2, (lib.ones(2, dtype=lib.float64),)),
    lambda lib: lib.autograd.gradgradcheck(lambda x: x * 2, (lib.ones(2, dtype=lib.float64),)),
    lambda lib: lib.randint(5), lambda lib: lib.randint(0, 5), lambda lib: lib.randint(5, size=2),
    lambda lib: lib.randn(), lambda lib: lib.rand(), lambda lib: lib.linspace(0, 1), lambda lib: lib.arange(),
    lambda lib: lib.randperm(), lambda lib: lib.eye(), lambda lib: lib.zeros(), lambda lib: lib.ones(),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    same_error(ERRORS[i])


VALUES = [lambda lib: lib.tensor(-2 ** 63), lambda lib: lib.tensor([[1, 2], []][:1]), lambda lib: lib.tensor([]),
          lambda lib: lib.tensor([[]]), lambda lib: lib.tensor([1, 2.5, True]), lambda lib: lib.tensor((1, 2)),
          lambda lib: lib.tensor([lib.tensor(1.0), lib.tensor(2.0)]),
          lambda lib: lib.tensor([lib.tensor([1.0]), lib.tensor([2.0])]), lambda lib: lib.randn([]).shape,
          lambda lib: lib.randint(5, (2,)).shape, lambda lib: lib.randint(0, 5, size=(2, 3)).shape,
          lambda lib: lib.zeros([])]


@pytest.mark.parametrize("i", range(len(VALUES)))
def test_values(i):
    same_repr(VALUES[i])


def test_gradcheck_failure_prints_tensors():
    def run(lib, dtype, shape):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 3

        x = lib.ones(shape, dtype=getattr(lib, dtype), requires_grad=True)
        with pytest.raises(RuntimeError) as info, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # float32 inputs: tested in test_warning_texts
            lib.autograd.gradcheck(Bad.apply, (x,))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert lib.autograd.gradcheck(Bad.apply, (x,), raise_exception=False) is False
        return type(info.value).__name__, str(info.value)
    for dtype, shape in [("float64", (2,)), ("float64", ()), ("float32", (2,))]:
        assert run(ak, dtype, shape) == run(torch, dtype, shape)


# ---- random generators --------------------------------------------------------------------------
@LIBS
def test_seed_and_generators(lib):
    s = lib.seed()
    assert isinstance(s, int) and lib.initial_seed() == s
    g = lib.Generator()
    assert g.initial_seed() == 67280421310721
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    assert re.fullmatch(r"<torch\._C\.Generator object at 0x[0-9a-f]+>", repr(lib.manual_seed(0)))
    assert lib.initial_seed() == 0
    a = lib.randn(3, generator=lib.Generator().manual_seed(1))
    b = lib.randn(3, generator=lib.Generator().manual_seed(1))
    assert a.tolist() == b.tolist()


@pytest.mark.parametrize("fn", [lambda lib: lib.ones(2).to("float64"), lambda lib: lib.ones(2).to("cuda"),
                                lambda lib: lib.device("gpu"), lambda lib: lib.ones(2).to(dtype="float64")])
def test_device_strings(fn):
    same_error(fn)
