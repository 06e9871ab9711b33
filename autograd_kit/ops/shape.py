"""Shape and indexing ops, re-exported from where they live: ``views.py`` (view, reshape, transpose,
permute, squeeze, expand, clone, flip, repeat), ``joining.py`` (cat, stack) and ``indexing.py``
(get and set, select/slice/split, index_select)."""
from .views import (  # noqa: F401
    View, Reshape, Transpose, T, T1, Permute, Squeeze, SqueezeMatmul, SqueezeAll, Unsqueeze, Expand,
    broadcast_view, Clone, Flip, Repeat, ReshapeAlias, UnsafeView, reshape
)
from .joining import (  # noqa: F401
    Cat, Stack
)
from .indexing import (  # noqa: F401
    normalize_key, Index, Select, Slice, Alias, Split, SplitWithSizes, Unbind, IndexAddZeros,
    CopySlices, setitem_shape_error, getitem, IndexSelect, _index_error
)
