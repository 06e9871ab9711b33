"""``torch.Generator``: PyTorch's CPU generator, bit for bit (mt19937 seeded as ATen seeds it).

PyTorch's CPU generator (``aten/src/ATen/CPUGeneratorImpl.cpp``) is a 32-bit Mersenne Twister seeded with
``init_genrand(seed & 0xffffffff)``, plus one cached normal sample. ``random()`` is one 32-bit output,
``random64()`` two of them (high word first). The twist and tempering are the standard mt19937 ones, so the
engine here is NumPy's own ``MT19937`` bit generator (C speed), loaded with the key PyTorch's seeding gives;
all state lives in NumPy and is read back only for ``get_state``.

ATen counts its position with ``left``/``next`` (it twists when ``--left == 0``); NumPy's ``pos`` is
``625 - left``. ``get_state()`` returns PyTorch's 5056-byte ``CPUGeneratorImplState`` with the same bytes
PyTorch writes, so a state saved by either loads in the other.
"""
import numpy as np

_N = 624
_DEFAULT_SEED = 67280421310721  # c10's default_rng_seed_val: a new torch.Generator() starts from it
_STATE_BYTES = 5056
# offsets in CPUGeneratorImplState (legacy_pod: seed u64, left i32, seeded i32, next u64, state u64[624],
# normal_x/normal_y/normal_rho f64, normal_is_valid i32 (+4 pad); then next_float_normal_sample f32, bool)
_OFF_STATE, _OFF_NORMAL_Y, _OFF_NORMAL_VALID, _OFF_FLOAT, _OFF_FLOAT_VALID = 24, 5024, 5040, 5048, 5052


def _genrand_key(seed32):
    key = [seed32]
    x = seed32
    for j in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & 0xFFFFFFFF
        key.append(x)
    return np.array(key, dtype=np.uint32)


def _check_seed(seed):
    seed = int(seed)
    if seed < -(1 << 63) or seed >= (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF  # negative seeds wrap as in PyTorch: -5 -> 2**64 - 5


class Generator:
    """A random number generator (``torch.Generator``); pass it as ``generator=`` to the random functions."""

    def __init__(self, device="cpu"):
        dev = str(getattr(device, "type", device))
        if dev.split(":")[0] != "cpu":
            raise RuntimeError(f"Cannot get {dev.split(':')[0].upper()} generator: autograd_kit runs on the CPU "
                               "only.\nHint: create the generator with torch.Generator() (device='cpu').")
        self._set_seed(_DEFAULT_SEED)  # the engine itself (NumPy's MT19937) is made on first use: see __getattr__

    @property
    def device(self):
        from ._tensor_types import device
        return device("cpu")

    # ---- seeding ----------------------------------------------------------------------
    def _set_seed(self, seed):
        self._seed = seed
        self._load(_genrand_key(seed & 0xFFFFFFFF), _N)
        self._fresh = True          # ATen's next_ is 0 right after seeding (624 once a block is used up)
        self._next_double = None    # next_double_normal_sample_ (Box-Muller's second value)
        self._next_float = None     # next_float_normal_sample_

    def _load(self, key, pos):
        state = {"bit_generator": "MT19937", "state": {"key": key, "pos": int(pos)}}
        if "_bg" in self.__dict__:
            self._bg.state = state
        else:  # no draw yet: the state waits for the engine (numpy.random stays unimported until a draw)
            self._pending = state

    def __getattr__(self, name):
        # ``_bg``, NumPy's MT19937, made on first use: ``import autograd_kit`` (whose default generator is seeded
        # at import) need not import numpy.random (~6 MB resident) for a program that draws no random numbers
        if name != "_bg":
            raise AttributeError(f"'Generator' object has no attribute '{name}'")
        from numpy.random import MT19937
        bg = MT19937(0)
        bg.state = self.__dict__.pop("_pending")
        self._bg = bg
        return bg

    def manual_seed(self, seed):
        """Seed with ``seed`` (an int in [-2**63, 2**64)); returns the generator."""
        self._set_seed(_check_seed(seed))
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the new 64-bit seed."""
        s = int.from_bytes(np.random.SeedSequence().generate_state(2, np.uint32).tobytes(), "little")
        self._set_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    # ---- raw draws (ATen's random() and random64()) ------------------------------------
    def _random(self, n):
        """``n`` draws of ``random()``: uint64 array holding 32-bit values."""
        self._fresh = False
        return self._bg.random_raw(int(n))

    def _random64(self, n):
        """``n`` draws of ``random64()``: (first << 32) | second, as uint64."""
        r = self._random(2 * int(n)).reshape(-1, 2)
        return (r[:, 0] << np.uint64(32)) | r[:, 1]

    # ---- state --------------------------------------------------------------------------
    def get_state(self):
        """PyTorch's 5056-byte state (``torch.ByteTensor``), same layout and bytes as PyTorch's."""
        from ._tensor import Tensor
        st = self._bg.state["state"]
        pos = int(st["pos"])
        buf = np.zeros(_STATE_BYTES, np.uint8)
        head = np.array([self._seed], "<u8").view(np.uint8)
        buf[0:8] = head
        buf[8:16] = np.array([_N + 1 - pos, 1], "<i4").view(np.uint8)
        buf[16:24] = np.array([0 if self._fresh else pos], "<u8").view(np.uint8)
        buf[_OFF_STATE:_OFF_STATE + 8 * _N] = np.asarray(st["key"], "<u8").view(np.uint8)
        if self._next_double is not None:
            buf[_OFF_NORMAL_Y:_OFF_NORMAL_Y + 8] = np.array([self._next_double], "<f8").view(np.uint8)
            buf[_OFF_NORMAL_VALID] = 1
        if self._next_float is not None:
            buf[_OFF_FLOAT:_OFF_FLOAT + 4] = np.array([self._next_float], "<f4").view(np.uint8)
            buf[_OFF_FLOAT_VALID] = 1
        return Tensor._make(buf)

    def set_state(self, new_state):
        """Load a state from ``get_state()`` (this kit's or PyTorch's ``torch.get_rng_state()``)."""
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor):
            if type(new_state).__module__.startswith("torch") and hasattr(new_state, "numpy"):
                new_state = Tensor._make(new_state.numpy())  # a state saved by real PyTorch
            else:
                raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        data = new_state._data
        if data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if data.size != _STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found the input RNG "
                               f"state size to be {data.size}")
        b = np.ascontiguousarray(data).reshape(-1)
        seed = int(b[0:8].view("<u8")[0])
        left, seeded = (int(v) for v in b[8:16].view("<i4"))
        nxt = int(b[16:24].view("<u8")[0])
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        key = (b[_OFF_STATE:_OFF_STATE + 8 * _N].view("<u8") & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        self._seed = seed
        self._load(key, _N + 1 - left)
        self._fresh = left == 1 and nxt == 0
        self._next_double = float(b[_OFF_NORMAL_Y:_OFF_NORMAL_Y + 8].view("<f8")[0]) if b[_OFF_NORMAL_VALID] else None
        self._next_float = (np.float32(b[_OFF_FLOAT:_OFF_FLOAT + 4].view("<f4")[0])
                            if b[_OFF_FLOAT_VALID] else None)
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"  # as PyTorch prints it


# The default generator is seeded with 0 at import so that unseeded runs of the course repeat exactly
# (PyTorch seeds it from /dev/urandom); torch.manual_seed(s) gives PyTorch's stream either way.
default_generator = Generator().manual_seed(0)


def _gen(generator=None):
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a torch.Generator, not {type(generator).__name__}")
    return generator


def manual_seed(seed):
    """Seed the default generator: after ``manual_seed(s)`` the kit draws PyTorch's numbers."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)
