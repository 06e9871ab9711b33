"""torch_sum's fast paths: C-contiguous inputs whose reduced dims coalesce into one of the layouts training
uses, each summed in ATen's cascade_sum order with a handful of whole-array NumPy calls.

After size-1 dims are dropped and adjacent dims of the same kind merged (as TensorIterator coalesces a
C-contiguous input), the layouts are (R = reduced, K = kept):

* ``full``  (R,): ``.sum()``, ``.mean()``, losses: one contiguous row (vectorized_inner_sum); from ``GRAIN``
  elements on, at::parallel_reduce's two-pass split: each thread's half summed alone, then the halves added;
* ``inner`` (K, R): softmax / cross-entropy over the last dim: every row summed alone (vectorized_inner_sum or
  scalar_inner_sum);
* ``outer`` (K?, R, K): bias gradients (dim 0 of (batch, features)), the middle dim of 3-D: rows of contiguous
  columns (vectorized_outer_sum or scalar_outer_sum);
* ``inout`` (R, K, R): conv bias gradients and batch-norm statistics ((N, C, H, W) over 0, 2, 3): each
  contiguous (h, w) plane summed as a row, then the planes of a channel added in batch order.

With several outputs, at::parallel_reduce (``GRAIN`` elements or more) splits a kept dim between threads
(columns at multiples of 128 bytes), which leaves each of these layouts' outputs as a single thread computes
them: the tests check every layout below and above ``GRAIN`` against torch.

NumPy order used: ``np.add.reduce`` over an axis that is not the innermost one (some other axis of 2 or more
elements has a smaller stride) adds one slice after another, as ``acc += x[i]``; along the innermost axis it
would sum pairwise, so chains along a row are transposed first or run with ``np.add.accumulate``. NumPy's
sums start from the first element, ATen's from +0.0: they differ only in a zero's sign, mended by one final
``+ 0``.
"""
import numpy as np

VEC_BYTES = 32   # probed: the sum kernel runs 8-float (256-bit) vectors on this AVX512 torch
GRAIN = 32768    # at::internal::GRAIN_SIZE
THREADS = 2      # torch.get_num_threads() on the reference machine

_add = np.add.reduce


def plan(shape, axes):
    """The layout of a C-contiguous array of this shape reduced over ``axes`` (sorted, non-negative):
    (kind, sizes) or None where only the general path applies."""
    dims = []  # coalesced [size, reduced]
    for d, s in enumerate(shape):
        if s == 1:
            continue
        r = d in axes
        if dims and dims[-1][1] == r:
            dims[-1][0] *= s
        else:
            dims.append([s, r])
    kinds = tuple(r for _, r in dims)
    sizes = tuple(s for s, _ in dims)
    if kinds == (True,):
        return "full", sizes
    if kinds == (False, True):
        return "inner", sizes
    if kinds == (True, False):
        return "outer", (1,) + sizes
    if kinds == (False, True, False):
        return "outer", sizes
    if kinds == (True, False, True):
        return "inout", sizes
    return None


def run(a, kind, sizes):
    """The sums of a's outputs for a plan (flat, before the final ``+ 0`` and reshape)."""
    if kind == "full":
        n = sizes[0]
        flat = a.reshape(n)
        if n <= GRAIN or THREADS == 1:  # at::parallel_for runs GRAIN elements in the calling thread
            return _full(flat)
        nthreads = min(THREADS, -(-n // GRAIN))
        chunk = -(-n // nthreads)  # two-pass: each thread's buffer, then buffer 0 + buffer 1 + ...
        out = _full(flat[:chunk])
        for i in range(chunk, n, chunk):
            out = out + _full(flat[i:i + chunk])
        return out
    if kind == "inner":
        return _inner(a.reshape(sizes))
    if kind == "outer":
        p, r, c = sizes
        x = a.reshape(r, c) if p == 1 else a.reshape(sizes).transpose(1, 0, 2)
        return _outer(x)
    n0, k, n1 = sizes  # inout: each (h, w) plane a row, then the planes of each channel in batch order
    return _rows(_inner(a.reshape(n0 * k, n1)).reshape(n0, k))


def _ceil_log2(n):
    return 1 if n <= 2 else (n - 1).bit_length()


def _rows(y):
    """y's slices along axis 0 added one after another: NumPy's reduce (some lane axis of 2 or more elements
    must have a smaller stride than axis 0, which every caller's layout guarantees), or one add."""
    if y.shape[0] > 2:
        return _add(y, 0)
    return y[0] + y[1] if y.shape[0] == 2 else y[0]


def _adds(y):
    """y's slices along axis 0 added one after another with adds (any layout)."""
    out = y[0]
    for i in range(1, y.shape[0]):
        out = out + y[i]
    return out


_SWAP01 = [(1, 0) + tuple(range(2, 2 + n)) for n in range(8)]


def _width(x):
    """How many elements x's innermost lanes run contiguously (NumPy's inner loop length when x is reduced
    over axis 0)."""
    w, stride = 1, x.itemsize
    for n, st in zip(x.shape[:0:-1], x.strides[:0:-1]):
        if st != stride:
            break
        w, stride = w * n, stride * n
    return w


def _mrs(x):
    """multi_row_sum along axis 0 of x (the other axes are lanes): 4 levels of accumulators, level j added
    into level j + 1 every 2**level_power additions to it, then (((acc0 + acc1) + acc2) + acc3)."""
    n = x.shape[0]
    if n < 16:
        return _rows(x)
    step = 16 if n < 1 << 20 else 1 << (_ceil_log2(n) // 4)
    lanes = x.shape[1:]
    nb = n // step
    blocks = x[:nb * step].reshape((nb, step) + lanes)
    if nb >= 8 and _width(x) < 256:  # narrow lanes: NumPy's inner loop is quicker over (step, nb * lanes)
        b = _add(np.ascontiguousarray(blocks.transpose(_SWAP01[len(lanes)])), 0)
    else:
        b = _add(blocks, 1)  # level 0's sums, one per block
    if nb < step:
        acc = [_rows(b)]
    else:
        n1 = nb // step
        c = _add(b[:n1 * step].reshape((n1, step) + lanes), 1)
        n2 = n1 // step
        acc = [_rows(b[n1 * step:]) if nb > n1 * step else None,
               _rows(c[n2 * step:]) if n1 > n2 * step else None,
               _rows(_add(c[:n2 * step].reshape((n2, step) + lanes), 1)) if n2 else None]
    out = _rows(x[nb * step:]) if n > nb * step else None
    for a in acc:
        if a is not None:
            out = a if out is None else out + a
    return out


def _row_sum(x):
    """row_sum over axis 0 of x (R, lanes...): the rows read as (-1, 4), four multi_row_sums, the 0-3 rows
    left over added to the first, then the other three added to it."""
    r = x.shape[0]
    k = r // 4
    if k == 0:  # x may be a single column here: adds, not a reduce
        return _adds(x)
    p = _mrs(x[:4 * k].reshape((k, 4) + x.shape[1:]))
    if r == 4 * k and x.shape[-1] > 1:  # ((p0 + p1) + p2) + p3, the columns innermost in p
        return _add(p, 0)
    out = p[0]
    for i in range(4 * k, r):
        out = out + x[i]
    return ((out + p[1]) + p[2]) + p[3]


def _outer(x):
    """cascade_sum's 2-D loop over x (R, [P,] C) reduced over axis 0, columns contiguous: groups of 4 SIMD
    vectors of columns (vectorized_outer_sum; with fewer columns than a vector, groups of 4 columns:
    scalar_outer_sum) each get one multi_row_sum; the columns after the last whole group a row_sum each."""
    c = x.shape[-1]
    lanes = VEC_BYTES // x.itemsize
    group = 4 * lanes if c >= lanes else 4
    g = c - c % group
    if g == c:
        return _mrs(x).reshape(-1)
    if g == 0:
        return _row_sum(x).reshape(-1)
    out = np.empty(x.shape[1:], x.dtype)
    out[..., :g] = _mrs(x[..., :g])
    out[..., g:] = _row_sum(x[..., g:])
    return out.reshape(-1)


_ORDERS = {}


def _order(n, lanes):
    """The order in which a row of n < 2 vectors' worth of elements meets the accumulator: the scalar tail,
    then the lanes of the (one) vector; below one vector, row_sum's x0, x4.., then x1, x2, x3."""
    key = (n, lanes)
    order = _ORDERS.get(key)
    if order is None:
        if n < lanes:
            order = [0] + list(range(4, n)) + [1, 2, 3] if n > 4 else list(range(n))
        else:
            order = list(range(lanes, n)) + list(range(lanes))
        order = _ORDERS[key] = np.array(order)
    return order


def _vectors1(x, nv, lanes):
    """row_sum over the nv SIMD vectors of one contiguous row x: (lanes,)."""
    k = nv // 4
    if k == 0:  # no cascade: 0 + v0 + v1 + v2
        vec = x[:lanes] + x[lanes:2 * lanes]
        return vec + x[2 * lanes:3 * lanes] if nv == 3 else vec
    w = 4 * lanes
    p = _mrs(x[:k * w].reshape(k, w))
    if nv == 4 * k:  # ((p0 + p1) + p2) + p3
        return _add(p.reshape(4, lanes), 0)
    vec = p[:lanes]
    for j in range(4 * k, nv):
        vec = vec + x[j * lanes:(j + 1) * lanes]
    return ((vec + p[lanes:2 * lanes]) + p[2 * lanes:3 * lanes]) + p[3 * lanes:]


def _vectors(x, nv, lanes):
    """row_sum over each row's nv SIMD vectors, x (R >= 2, C) rows contiguous: (R, lanes)."""
    r = x.shape[0]
    k = nv // 4
    w = 4 * lanes
    if k == 0:
        vec = x[:, :lanes]
        for j in range(1, nv):
            vec = vec + x[:, j * lanes:(j + 1) * lanes]
        return vec
    v = x[:, :k * w].reshape(r, k, w).transpose(1, 0, 2)
    if r >= 8 and k > 4:  # NumPy's inner loops are quicker over whole (R * 4 vectors) rows
        p = _mrs(np.ascontiguousarray(v).reshape(k, r * w)).reshape(r, w)
    else:
        p = _mrs(v)
    vec = p[:, :lanes]  # adds: a reduce over (R, 4, lanes) would run R * 4 inner loops of one vector
    for j in range(4 * k, nv):
        vec = vec + x[:, j * lanes:(j + 1) * lanes]
    return ((vec + p[:, lanes:2 * lanes]) + p[:, 2 * lanes:3 * lanes]) + p[:, 3 * lanes:]


def _inner(x):
    """cascade_sum's 2-D loop over rows x (R >= 2, C), each row contiguous (vectorized_inner_sum: the row's
    SIMD vectors in a row_sum, then a scalar accumulator meets the tail elements and the vector's lanes in
    turn; below one vector, scalar_inner_sum: a row_sum of the elements). Returns (R,)."""
    r, c = x.shape
    lanes = VEC_BYTES // x.itemsize
    if c < 2 * lanes:  # a single vector (its lanes as they are) or no vector at all
        return _rows(x.T[_order(c, lanes)])  # (m, R), C-contiguous: each column's chain down axis 0
    if r * c <= 65536 and c < 1024:  # measured: transposing x first is quicker up to about this size
        return _inner_t(np.ascontiguousarray(x.T))
    nv = c // lanes
    vec = _vectors(x, nv, lanes)
    t = c - nv * lanes
    cols = np.empty((t + lanes, r), x.dtype)
    cols[:t] = x[:, nv * lanes:].T
    cols[t:] = vec.T
    return _rows(cols)


def _inner_t(xt):
    """_inner's sums from xt = x.T, C-contiguous (C, R): the same additions, each over whole rows of R."""
    c, r = xt.shape
    lanes = VEC_BYTES // xt.itemsize
    if c < 2 * lanes:
        return _rows(xt[_order(c, lanes)])
    nv = c // lanes
    k = nv // 4
    w = 4 * lanes
    if k:
        p = _mrs(xt[:k * w].reshape(k, w, r))
        vec = p[:lanes]
        for j in range(4 * k, nv):
            vec = vec + xt[j * lanes:(j + 1) * lanes]
        vec = ((vec + p[lanes:2 * lanes]) + p[2 * lanes:3 * lanes]) + p[3 * lanes:]
    else:
        vec = xt[:lanes] + xt[lanes:2 * lanes]
        if nv == 3:
            vec = vec + xt[2 * lanes:3 * lanes]
    if c > nv * lanes:
        vec = np.concatenate((xt[nv * lanes:], vec))
    return _rows(vec)


def _full(flat):
    """One contiguous row summed (a full reduction up to GRAIN elements, or one thread's share of one):
    a 1-element array."""
    n = flat.shape[0]
    lanes = VEC_BYTES // flat.itemsize
    if n < 2 * lanes:  # a single vector (its lanes as they are) or no vector at all
        if n > 4 and n != lanes:
            flat = flat[_order(n, lanes)]
        return np.add.accumulate(flat)[-1:]
    nv = n // lanes
    vec = _vectors1(flat, nv, lanes)
    if n > nv * lanes:
        vec = np.concatenate((flat[nv * lanes:], vec))
    return np.add.accumulate(vec)[-1:]



# ---- one callable per plan: a repeated sum is one dict lookup and its NumPy calls --------------------------

_acc = np.add.accumulate


def compile(kind, sizes, out, zero):
    """``a -> sum`` for a plan: ``run``'s result, its zero's sign mended, shaped ``out`` (a NumPy scalar when
    ``out`` is ()). The layouts of small inputs that training repeats get the same NumPy calls as ``run``
    without its Python steps; where the last call is a reduce over the accumulators, its ``initial=+0``
    mends the sign instead of a final ``+ 0`` (the sums differ from ``+ 0``'s only where both are zeros:
    0 + x is x for every x but -0.0, and no sum starting from +0 ends in -0.0)."""
    fn = _small(kind, sizes, () if kind == "full" else out, zero)
    if fn is not None:
        return fn if not out or kind != "full" else lambda a: fn(a).reshape(out)  # a NumPy scalar's reshape
    if out:
        return lambda a: (run(a, kind, sizes) + zero).reshape(out)
    return lambda a: run(a, kind, sizes)[0] + zero


def _small(kind, sizes, out, zero):
    """The specialized callables (None where ``run`` is needed): see ``compile``."""
    if kind == "full":
        n = sizes[0]
        lanes = VEC_BYTES // zero.itemsize
        if n < 2 * lanes:  # _full: one running sum over the elements (in _order's order)
            if n <= 4 or n == lanes:
                return lambda a: _acc(a.reshape(n))[-1] + zero
            order = _order(n, lanes)
            return lambda a: _acc(a.reshape(n)[order])[-1] + zero
        nv = n // lanes
        k = nv // 4
        if n == 4 * k * lanes and 2 < k < 16:  # _vectors1 with nv == 4k, its _mrs a single _rows reduce
            shape, vec = (k, 4 * lanes), (4, lanes)
            return lambda a: _acc(_add(_add(a.reshape(shape), 0).reshape(vec), 0))[-1] + zero
        return None
    if kind != "outer" or sizes[0] != 1:
        return None
    r, c = sizes[1:]
    lanes = VEC_BYTES // zero.itemsize
    group = 4 * lanes if c >= lanes else 4
    if c < 2 or c - c % group not in (0, c):
        return None
    if c % group == 0:  # _outer -> _mrs over all columns: fewer than 16 rows, one reduce
        if not 2 < r < 16:
            return None
        shape = (r, c)
        fn = lambda a: _add(a.reshape(shape), 0, initial=zero)  # noqa: E731
    else:  # _outer -> _row_sum: r = 4k rows, k < 16: ((p0 + p1) + p2) + p3 of one _rows reduce each
        k = r // 4
        if r != 4 * k or not 2 < k < 16:
            return None
        shape = (k, 4, c)
        fn = lambda a: _add(_add(a.reshape(shape), 0), 0, initial=zero)  # noqa: E731
    if out == (c,):
        return fn
    return lambda a: fn(a).reshape(out)
