"""``torch.random``: the default generator's seed and state, as in PyTorch (``torch.random.manual_seed(0)``)."""
import contextlib

from ._generator import (Generator, default_generator, manual_seed, seed, initial_seed,  # noqa: F401
                         get_rng_state, set_rng_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Run a block with a copy of the random state: draws inside it do not change what comes after."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed",
           "set_rng_state"]
