"""``torch.get_num_threads`` / ``torch.set_num_threads``: the intra-op thread count.

The kit's own loops are NumPy's; the count matters for MKL (``backends/mkl.py``), which splits large matrix
products between threads, so the same count as PyTorch's gives the same bits. PyTorch's default
(``intraop_default_num_threads``): ``MKL_NUM_THREADS``, else ``OMP_NUM_THREADS``, else MKL's default, the
number of physical cores.
"""
import os

_num_threads = None


def _env_threads(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        n = int(value)
        if n > 0:
            return n
    except ValueError:
        pass
    import warnings
    warnings.warn(f"Invalid {name} variable value, {value!r}")
    return default


def _physical_cores():
    try:
        allowed = os.sched_getaffinity(0)
    except (AttributeError, OSError):
        allowed = None
    cores, cpu, phys = set(), None, "0"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                key, val = key.strip(), val.strip()
                if key == "processor":
                    cpu = int(val)
                elif key == "physical id":
                    phys = val
                elif key == "core id" and (allowed is None or cpu in allowed):
                    cores.add((phys, val))
    except OSError:
        pass
    if cores:
        return len(cores)
    return len(allowed) if allowed else (os.cpu_count() or 1)


def _default():
    n = _env_threads("OMP_NUM_THREADS", 0)
    n = _env_threads("MKL_NUM_THREADS", n)
    return n or _physical_cores()


def get_num_threads():
    """The number of threads used for parallelizing CPU operations."""
    global _num_threads
    if _num_threads is None:
        _num_threads = _default()
    return _num_threads


def set_num_threads(int):  # noqa: A002  (PyTorch's parameter name)
    """Set the number of threads used for intraop parallelism on CPU."""
    global _num_threads
    if isinstance(int, bool) or not hasattr(int, "__index__"):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(int).__name__}")
    n = int.__index__()
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _num_threads = n
