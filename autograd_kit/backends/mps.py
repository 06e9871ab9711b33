"""``torch.backends.mps``: Apple's Metal back end, absent here (as in PyTorch's Linux CPU build)."""


def is_available():
    return False


def is_built():
    return False
