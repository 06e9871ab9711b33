"""``torch.distributions.ExponentialFamily``: the base of Normal, Bernoulli, Exponential... (the kit
computes their entropies in closed form, so this adds no methods of its own)."""
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    pass
