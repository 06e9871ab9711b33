"""``torch.accelerator`` (PyTorch's device-agnostic API, used by its current tutorials): no accelerator here.

    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
"""


def is_available():
    return False


def current_accelerator(check_available=False):
    return None


def device_count():
    return 0
