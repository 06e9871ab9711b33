"""Parity of autograd_kit._printing with PyTorch 2.13's tensor repr (real torch is the reference)."""
import math
import os

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_kit import _dtype
from autograd_kit._printing import (
    get_printoptions,
    parameter_repr,
    printoptions,
    set_printoptions,
    tensor_repr,
)

DTYPES = ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"]
nan, inf = math.nan, math.inf


@pytest.fixture(autouse=True)
def _reset_printoptions():
    yield
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    _dtype.set_default_dtype(_dtype.float32)
    torch.set_default_dtype(torch.float32)


def _ours(array, requires_grad=False, grad_fn_name=None):
    return tensor_repr(array, _dtype.from_numpy_dtype(array.dtype), requires_grad=requires_grad, grad_fn_name=grad_fn_name)


def _torchs(array, requires_grad=False, with_grad_fn=False):
    t = torch.from_numpy(array.copy(order="C"))  # (ascontiguousarray would make 0-d arrays 1-D)
    if requires_grad or with_grad_fn:
        t = t.clone().requires_grad_()
    if with_grad_fn:
        t = t * 1  # MulBackward0; keeps -0., inf and nan unchanged
    return repr(t)


def assert_parity(array, options=None, requires_grad=False, with_grad_fn=False):
    """Compare under the same print options; returns the repr for extra checks."""
    options = options or {}
    set_printoptions(**options)
    torch.set_printoptions(**options)
    expected = _torchs(array, requires_grad, with_grad_fn)
    got = _ours(array, requires_grad, "MulBackward0" if with_grad_fn else None)
    assert got == expected, f"\nours:\n{got}\ntorch:\n{expected}"
    return got


def A(values, dtype="float32"):
    return np.array(values, dtype=dtype)


_rng = np.random.default_rng(0)

# (array, print options): hand-picked tricky cases
HAND_CASES = [
    # 0-d
    (A(2.0), {}),
    (A(-0.0), {}),
    (A(nan), {}),
    (A(-inf), {}),
    (A(3.14159), {}),
    (A(1e-7), {}),
    (A(123456789.0), {}),
    (A(7, "int64"), {}),
    (A(-7, "int32"), {}),
    (A(200, "uint8"), {}),
    (A(True, "bool"), {}),
    (A(2.5, "float64"), {}),
    (A(2.5, "float16"), {}),
    # empty
    (np.zeros((0,), np.float32), {}),
    (np.zeros((0,), np.int64), {}),
    (np.zeros((0,), np.float64), {}),
    (np.zeros((0, 3), np.float32), {}),
    (np.zeros((2, 0, 4), np.bool_), {}),
    (np.zeros((0, 3), np.uint8), {}),
    # 1-D values
    (A([1.0, 2.0, 3.0]), {}),
    (A([1.0, 2.0], "float64"), {}),
    (A([1.0, -2.0, 3.5]), {}),
    (A([1e-5, 1.0]), {}),
    (A([1e-5, 1e10]), {}),
    (A([1.0, 1000.0]), {}),
    (A([1.0, 1001.0]), {}),
    (A([1e8, 1.0]), {}),
    (A([2e8]), {}),
    (A([1e8]), {}),
    (A([1e-4, 2e-4]), {}),
    (A([9.9e-5]), {}),
    (A([0.0, -0.0, 1.0]), {}),
    (A([-0.0, 0.0]), {}),
    (A([inf, -inf, nan]), {}),
    (A([inf, 1.0, nan]), {}),
    (A([inf, 1.5, nan, -2.25]), {}),
    (A([nan, 1e-9, 3.0]), {}),
    (A([0.1, 0.2, 0.3]), {}),
    (A([9.99996, 1.0]), {}),
    (A([99999.5, 0.5]), {}),
    (A([1e300, 1e-300], "float64"), {}),
    (A([1e-310, 1.0], "float64"), {}),
    (A([65504.0, -65504.0, 0.5], "float16"), {}),
    (A([6e-8, 1.0], "float16"), {}),
    (A([1.0, 2.0, 3.0], "float16"), {}),
    (A([0.1, 0.2], "float16"), {}),
    (A([1, -2, 300], "int64"), {}),
    (A([1, -2, 300], "int32"), {}),
    (A([0, 255, 7], "uint8"), {}),
    (A([True, False], "bool"), {}),
    (A([True, True], "bool"), {}),
    (A([False], "bool"), {}),
    (A([2**62, -(2**62)], "int64"), {}),
    # wrapping rows
    (np.linspace(-1, 1, 40).astype(np.float32), {}),
    (np.arange(60, dtype=np.int64), {}),
    (np.arange(-30, 30, dtype=np.int32), {}),
    (np.linspace(0, 1e6, 33).astype(np.float64), {}),
    (_rng.standard_normal(25).astype(np.float32) * 1e-6, {}),
    (_rng.standard_normal((3, 30)).astype(np.float32), {}),
    (np.ones(50, np.bool_), {}),
    # 2-D .. 5-D
    (A([[1.0, 2.0], [3.0, 4.0]]), {}),
    (A([[1, 2], [3, 4]], "int64"), {}),
    (_rng.standard_normal((2, 3, 4)).astype(np.float32), {}),
    (_rng.standard_normal((2, 2, 2, 3)).astype(np.float64), {}),
    (_rng.integers(-5, 5, (2, 1, 2, 2, 2)).astype(np.float32), {}),
    (np.zeros((1, 1, 1)), {}),
    (_rng.integers(0, 2, (3, 4)).astype(np.bool_), {}),
    (np.arange(24, dtype=np.uint8).reshape(2, 3, 4), {}),
    # summarised (> 1000 elements)
    (np.arange(2000, dtype=np.float32), {}),
    (np.arange(1001, dtype=np.int64), {}),
    (np.arange(1000, dtype=np.int64), {}),
    (np.arange(2000.0).reshape(2, 1000), {}),
    (_rng.standard_normal((40, 40)).astype(np.float32), {}),
    (_rng.standard_normal((10, 10, 11)).astype(np.float64), {}),
    (_rng.standard_normal((4, 30, 30)).astype(np.float32), {}),
    (np.arange(1200, dtype=np.int32).reshape(30, 40), {}),
    (_rng.integers(0, 2, 1500).astype(np.bool_), {}),
    (_rng.standard_normal((1, 2000)).astype(np.float16), {}),
    # print options
    (A([1.123456, 2.5]), {"precision": 2}),
    (A([1.123456, 2.5]), {"precision": 0}),
    (A([1.123456, 2.5]), {"precision": 8}),
    (A([1.0, 2.0]), {"sci_mode": True}),
    (A([1.5, 2.0]), {"sci_mode": True}),
    (A([1e-5, 1e10]), {"sci_mode": False}),
    (A([0.0, nan]), {"sci_mode": True}),
    (A([1, 2], "int64"), {"sci_mode": True}),
    (np.linspace(-1, 1, 30).astype(np.float32), {"linewidth": 40}),
    (_rng.standard_normal((3, 12)).astype(np.float32), {"linewidth": 40}),
    (np.arange(20, dtype=np.int64), {"linewidth": 5}),
    (np.arange(2000, dtype=np.float32), {"profile": "full"}),
    (np.arange(1500, dtype=np.int64).reshape(3, 500), {"profile": "full", "linewidth": 120}),
    (_rng.standard_normal((5, 5)).astype(np.float32), {"profile": "short"}),
    (np.arange(2000, dtype=np.float32), {"profile": "short"}),
    (np.arange(10, dtype=np.int64), {"threshold": 5}),
    (np.arange(10, dtype=np.int64), {"threshold": 5, "edgeitems": 0}),
    (np.arange(60.0).reshape(3, 4, 5), {"threshold": 5, "edgeitems": 0}),
    (np.arange(60.0).reshape(3, 4, 5), {"threshold": 5, "edgeitems": 1}),
    (np.arange(6.0).reshape(2, 3), {"edgeitems": 0}),
    (A([1e-12, 5.0]), {"threshold": 1, "edgeitems": 0}),
    (np.arange(100, dtype=np.int64), {"threshold": 10, "edgeitems": 100}),
]


@pytest.mark.parametrize("array, options", HAND_CASES, ids=range(len(HAND_CASES)))
def test_hand_cases_match_torch(array, options):
    assert_parity(array, options)


@pytest.mark.parametrize(
    "array",
    [A(2.0), A(72.0), A([1.0, -0.0, inf]), np.zeros((0, 3), np.float32), A([1.5, 2.5], "float64"),
     np.linspace(0, 1, 30).astype(np.float32), np.linspace(0, 1, 11).astype(np.float32),
     np.arange(2000.0, dtype=np.float32), _rng.standard_normal((3, 4)).astype(np.float16)],
)
@pytest.mark.parametrize("requires_grad, with_grad_fn", [(True, False), (True, True)])
def test_autograd_suffixes_match_torch(array, requires_grad, with_grad_fn):
    assert_parity(array, requires_grad=requires_grad, with_grad_fn=with_grad_fn)


def test_suffixes_wrap_at_linewidth():
    # A suffix that no longer fits on the last line goes on its own line, aligned after "tensor(".
    array = np.linspace(0, 1, 8).astype(np.float64)
    got = assert_parity(array, with_grad_fn=True)
    assert got.endswith(",\n       dtype=torch.float64, grad_fn=<MulBackward0>)")


def test_non_contiguous_views_match_torch():
    # The engine hands over NumPy views (transposes, reversed or strided slices) without copying.
    base = _rng.standard_normal((4, 6)).astype(np.float32)
    t = torch.from_numpy(base.copy())
    assert _ours(base.T) == repr(t.T)
    assert _ours(base[::2, 1::3]) == repr(t[::2, 1::3])
    assert _ours(base[:, ::-1]) == repr(torch.flip(t, [1]))
    big = np.arange(3000, dtype=np.int64).reshape(50, 60)
    assert _ours(big.T[::-1]) == repr(torch.flip(torch.from_numpy(big).T, [0]))


def test_known_strings():
    assert tensor_repr(A(72.0), _dtype.float32, grad_fn_name="AddBackward0") == "tensor(72., grad_fn=<AddBackward0>)"
    assert tensor_repr(A(2.0), _dtype.float32, requires_grad=True) == "tensor(2., requires_grad=True)"
    assert tensor_repr(A([True, False], "bool"), _dtype.bool) == "tensor([ True, False])"
    assert tensor_repr(A([1.0, 2.0], "float64"), _dtype.float64) == "tensor([1., 2.], dtype=torch.float64)"
    # grad_fn wins over requires_grad, as in PyTorch
    assert tensor_repr(A(1.0), _dtype.float32, requires_grad=True, grad_fn_name="MulBackward0") == (
        "tensor(1., grad_fn=<MulBackward0>)"
    )


def test_custom_prefix_indents_continuation_lines():
    out = tensor_repr(A([[1.0], [2.0]]), _dtype.float32, prefix="Foo(")
    assert out == "Foo([[1.],\n     [2.]])"


def test_parameter_repr_matches_torch():
    array = _rng.standard_normal((2, 3)).astype(np.float32)
    expected = repr(torch.nn.Parameter(torch.from_numpy(array.copy())))
    assert parameter_repr(array, _dtype.float32) == expected
    assert expected.startswith("Parameter containing:\ntensor([[")
    frozen = repr(torch.nn.Parameter(torch.from_numpy(array.copy()), requires_grad=False))
    assert parameter_repr(array, _dtype.float32, requires_grad=False) == frozen


def test_default_dtype_float64_changes_which_dtype_is_shown():
    _dtype.set_default_dtype(_dtype.float64)
    torch.set_default_dtype(torch.float64)
    assert_parity(A([1.0, 2.0], "float64"))
    assert assert_parity(A([1.0, 2.0], "float32")).endswith("dtype=torch.float32)")
    assert_parity(np.zeros((0,), np.float32))
    assert_parity(np.zeros((0,), np.float64))


def test_printoption_functions_match_torch():
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    for kwargs in [dict(precision=2), dict(profile="full"), dict(profile="short", linewidth=50),
                   dict(sci_mode=True, edgeitems=1), dict(threshold=7)]:
        set_printoptions(**kwargs)
        torch.set_printoptions(**kwargs)
        assert get_printoptions() == torch._tensor_str.get_printoptions(), kwargs
    # sci_mode is reset to None by any call that does not pass it, as in PyTorch
    set_printoptions(sci_mode=True)
    set_printoptions(precision=3)
    assert get_printoptions()["sci_mode"] is None


def test_printoptions_context_manager_restores():
    set_printoptions(precision=6, sci_mode=False)
    before = get_printoptions()
    with printoptions(precision=1, linewidth=30):
        assert get_printoptions()["precision"] == 1
        assert tensor_repr(A([1.25]), _dtype.float32) == "tensor([1.2])"
    assert get_printoptions() == before
    with pytest.raises(ValueError):
        with printoptions(profile="short"):
            raise ValueError
    assert get_printoptions() == before


# ---------------------------------------------------------------- property-based parity

_SPECIAL = [0.0, -0.0, inf, -inf, nan, 1e-5, 1e-4, 9.99e-5, 1e8, 1.5e8, 1e10, 1000.0, 0.5, 2.0, 3.0, -1.0]
_float_values = st.one_of(
    st.integers(-2000, 2000).map(float),
    st.floats(-10, 10, allow_subnormal=False),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from(_SPECIAL),
)


@st.composite
def _arrays(draw, dtypes=DTYPES):
    name = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
    if name == "bool":
        elements = st.booleans()
    elif name.startswith("float"):
        elements = _float_values
    else:
        info = np.iinfo(name)
        elements = st.one_of(st.integers(max(info.min, -100), min(info.max, 100)),
                             st.integers(int(info.min), int(info.max)))
    with np.errstate(over="ignore"):
        return draw(hnp.arrays(name, shape, elements=elements))


_options = st.fixed_dictionaries({}, optional={
    "precision": st.integers(0, 8),
    "threshold": st.integers(1, 60),
    "edgeitems": st.integers(0, 4),
    "linewidth": st.integers(20, 120),
    "sci_mode": st.sampled_from([True, False, None]),
    "profile": st.sampled_from(["default", "short", "full"]),
})

# PRINTING_EXAMPLES=20000 pytest tests/test_printing.py -k random  hunts much longer for mismatches
_EXAMPLES = int(os.environ.get("PRINTING_EXAMPLES", 300))
_settings = settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(array=_arrays())
def test_random_arrays_match_torch(array):
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    assert_parity(array)


@_settings
@given(array=_arrays(), options=_options)
def test_random_arrays_under_random_printoptions_match_torch(array, options):
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    assert_parity(array, options)


@settings(max_examples=max(1, _EXAMPLES // 3), deadline=None)
@given(array=_arrays(dtypes=["float32", "float64", "float16"]), with_grad_fn=st.booleans(), options=_options)
def test_random_float_arrays_with_autograd_suffixes_match_torch(array, with_grad_fn, options):
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    assert_parity(array, options, requires_grad=True, with_grad_fn=with_grad_fn)
