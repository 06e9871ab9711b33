"""``torch.backends.cudnn``: flags that seeding code sets (they change nothing on the CPU) and is_available()."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None
