"""Reductions, re-exported from where they live: ``sums.py`` (sum, mean, var/std, prod, cumsum, norm,
sum_to_size), ``ordering.py`` (max/min, amax/amin, sort/topk, unique), ``softmax.py`` (softmax,
log_softmax, logsumexp) and ``indexing.py`` (gather)."""
from .sums import (  # noqa: F401
    Sum, SumDim, Mean, MeanDim, Var, Std, SumToSize, Prod, ProdDim, Cumsum, Norm, VarMeanVar,
    VarMeanMean, StdMeanStd, StdMeanMean
)
from .ordering import (  # noqa: F401
    MaxAll, MinAll, MaxDim, MinDim, Amax, Amin, Sort, SortStable, Topk, Unique
)
from .softmax import (  # noqa: F401
    Softmax, LogSoftmax, Logsumexp
)
from .indexing import (  # noqa: F401
    Gather, ScatterAddZeros
)
