"""torch.utils.data on the kit against PyTorch 2.13: the same datasets, loaders and collation give the same
batches; shuffling draws from the random stream exactly where PyTorch's Python code draws."""
import re
import warnings

import numpy as np
import pytest
import torch as real_torch

import autograd_kit as ak
from autograd_kit.utils.data import (BatchSampler, DataLoader, RandomSampler, SequentialSampler,
                                     SubsetRandomSampler, TensorDataset, random_split)

PRELUDE = """
import importlib
data = importlib.import_module(torch.__name__ + '.utils.data')
X = torch.arange(20.).reshape(10, 2); y = torch.arange(10)
ds = data.TensorDataset(X, y)
class Squares(data.Dataset):
    def __len__(self): return 5
    def __getitem__(self, i): return {'x': float(i), 'y': [i, i * i], 'name': 'n%d' % i}
class Stream(data.IterableDataset):
    def __iter__(self): return iter(range(7))
"""

CASES = r"""
r = len(ds), ds[3], ds[-1], ds[2:4]
dl = data.DataLoader(ds, batch_size=4); r = len(dl), [(a.shape, b) for a, b in dl]
dl = data.DataLoader(ds, batch_size=4, drop_last=True); r = len(dl), [b for a, b in dl]
dl = data.DataLoader(ds, batch_size=3, num_workers=0); r = [b for a, b in dl]
dl = data.DataLoader(ds); r = len(dl), next(iter(dl))
dl = data.DataLoader(Squares(), batch_size=2); r = list(dl)
dl = data.DataLoader(Squares(), batch_size=None); r = list(dl)[:2]
dl = data.DataLoader(Stream(), batch_size=3); r = list(dl)
dl = data.DataLoader(Stream(), batch_size=3, drop_last=True); r = list(dl)
dl = data.DataLoader(list(range(5)), batch_size=2, collate_fn=lambda b: sum(b)); r = list(dl)
dl = data.DataLoader(ds, batch_sampler=data.BatchSampler(data.SequentialSampler(ds), 4, False)); r = [b for a, b in dl]
r = data.default_collate([(1, 2.5, 'a', {'k': True}), (3, 4.5, 'b', {'k': False})])
r = data.default_collate([[1, 2], [3, 4]])
r = data.default_collate([np.array([1., 2.]), np.array([3., 4.])])
r = data.default_collate([np.float32(1.5), np.float32(2.)])
r = data.default_collate([torch.tensor(1), torch.tensor(2)])
r = data.default_collate([object(), object()])
r = data.default_collate([[1, 2], [3]])
r = data.default_convert(np.array([1, 2])), data.default_convert((np.array([1.]), 'a'))
r = list(data.BatchSampler(data.SequentialSampler(range(7)), 3, False)), list(data.BatchSampler(range(7), 3, True))
r = len(data.BatchSampler(range(7), 3, False)), len(data.BatchSampler(range(7), 3, True))
r = data.BatchSampler(range(7), 0, False)
r = len(data.ConcatDataset([ds, ds])), (ds + ds)[12], data.ConcatDataset([ds, ds])[-1]
s = data.Subset(ds, [4, 0, 2]); r = len(s), s[0], [b for a, b in data.DataLoader(s, batch_size=2)]
r = data.StackDataset(ds, ds)[1], data.StackDataset(a=ds, b=ds)[0]['b']
r = data.TensorDataset(X, torch.arange(3))
r = data.random_split(ds, [3, 3])
r = [len(s) for s in data.random_split(ds, [0.8, 0.2])], [len(s) for s in data.random_split(range(7), [0.5, 0.5])]
r = [len(s) for s in data.random_split(ds, [3, 7])], type(data.random_split(ds, [5, 5])[0]).__name__
r = sorted(i for s in data.random_split(range(10), [3, 3, 4]) for i in s)
r = data.DataLoader(ds, sampler=data.SequentialSampler(ds), shuffle=True)
r = data.DataLoader(ds, batch_sampler=data.BatchSampler(range(3), 1, False), batch_size=2)
r = data.DataLoader(Stream(), shuffle=True)
r = data.DataLoader(ds, num_workers=-1)
r = len(data.RandomSampler(ds)), len(data.RandomSampler(ds, replacement=True, num_samples=50))
r = sorted(data.RandomSampler(ds)), sorted(data.SubsetRandomSampler([1, 5, 7]))
r = data.RandomSampler(ds, num_samples=0)
r = len(list(data.RandomSampler(ds, replacement=True, num_samples=70))), len(data.WeightedRandomSampler([0.1, 0.9], 5))
r = sorted(b.tolist() for a, b in data.DataLoader(ds, batch_size=4, shuffle=True)) != [], len(data.DataLoader(ds, batch_size=4, shuffle=True))
r = sorted(sum((b.tolist() for a, b in data.DataLoader(ds, batch_size=3, shuffle=True)), []))
r = data.get_worker_info()
"""


def run(mod, code):
    ns = {"torch": mod, "np": np}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(PRELUDE + code, ns)
        return "ok", re.sub(r"0x[0-9a-f]+", "0x", repr(ns.get("r")))
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return type(e).__name__, str(e).split("\nHint:")[0]


@pytest.mark.parametrize("code", [c for c in CASES.strip("\n").split("\n") if c.strip()])
def test_same_as_pytorch(code):
    assert run(ak, code) == run(real_torch, code)


def _draws(n):
    return [ak.empty((), dtype=ak.int64).random_().item() for _ in range(n)]


def test_an_epoch_draws_from_the_global_stream_where_pytorch_does():
    """Iterating a shuffled loader draws the base seed, then the sampler's seed: two int64 draws."""
    ds = TensorDataset(ak.arange(10.))
    ak.manual_seed(3)
    expected = _draws(3)
    ak.manual_seed(3)
    batches = [b.tolist() for (b,) in DataLoader(ds, batch_size=4, shuffle=True)]
    assert _draws(1) == expected[2:]
    g = ak.Generator()
    g.manual_seed(expected[1])
    order = ak.randperm(10, generator=g).tolist()
    assert sum(batches, []) == [float(i) for i in order]
    ak.manual_seed(3)
    list(DataLoader(ds, batch_size=4))  # unshuffled: the base seed only
    assert _draws(2) == expected[1:]


def test_a_given_generator_shuffles_reproducibly_and_leaves_the_global_stream():
    ds = TensorDataset(ak.arange(12))
    ak.manual_seed(0)
    before = _draws(1)
    ak.manual_seed(0)
    a = [b.tolist() for (b,) in DataLoader(ds, batch_size=5, shuffle=True, generator=ak.Generator().manual_seed(7))]
    b = [b.tolist() for (b,) in DataLoader(ds, batch_size=5, shuffle=True, generator=ak.Generator().manual_seed(7))]
    assert a == b and sorted(sum(a, [])) == list(range(12)) and [len(x) for x in a] == [5, 5, 2]
    assert _draws(1) == before


def test_random_split_is_one_randperm_of_the_dataset():
    g1, g2 = ak.Generator().manual_seed(42), ak.Generator().manual_seed(42)
    parts = random_split(range(10), [3, 7], generator=g1)
    perm = ak.randperm(10, generator=g2).tolist()
    assert list(parts[0]) == perm[:3] and list(parts[1]) == perm[3:]


def test_samplers_cover_the_indices():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert sorted(RandomSampler(range(9))) == list(range(9))
    assert sorted(SubsetRandomSampler([2, 4, 6])) == [2, 4, 6]
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=40))
    assert len(drawn) == 40 and set(drawn) <= {0, 1, 2}
    assert [len(b) for b in BatchSampler(RandomSampler(range(10)), 4, drop_last=True)] == [4, 4]


def test_module_paths_are_pytorchs():
    import autograd_kit.utils.data.dataloader as dl
    import autograd_kit.utils.data.dataset as dset
    import autograd_kit.utils.data.sampler as smp
    from autograd_kit.utils.data._utils.collate import default_collate
    assert dl.DataLoader is ak.utils.data.DataLoader and dset.TensorDataset is TensorDataset
    assert smp.RandomSampler is RandomSampler and default_collate is ak.utils.data.default_collate
