"""``torch.distributions``: probability distributions with PyTorch's API, numbers and printing.

Sampling calls the same random functions PyTorch's distributions call (``torch.normal``, ``normal_``,
``rand``, ``bernoulli``, ``multinomial``, ``exponential_``, ``uniform_``), so after ``torch.manual_seed`` the kit
draws exactly PyTorch's samples; ``rsample`` keeps the graph (the reparameterisation trick), ``sample`` does not.
"""
from . import constraints  # noqa: F401
from .bernoulli import Bernoulli
from .categorical import Categorical
from .chi2 import Chi2
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .mixture_same_family import MixtureSameFamily
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Poisson
from .transformed_distribution import TransformedDistribution
from .transforms import (AbsTransform, AffineTransform, ComposeTransform, ExpTransform, SigmoidTransform,  # noqa: F401
                         SoftplusTransform, TanhTransform, Transform)
from .uniform import Uniform
from . import transforms  # noqa: F401

__all__ = ["Bernoulli", "Categorical", "Chi2", "Gamma", "Distribution", "ExponentialFamily", "Exponential",
           "Independent", "Laplace", "LogNormal", "MixtureSameFamily", "MultivariateNormal", "Normal",
           "OneHotCategorical", "OneHotCategoricalStraightThrough", "Poisson",
           "TransformedDistribution", "Uniform", "kl_divergence", "register_kl", "constraints"]
