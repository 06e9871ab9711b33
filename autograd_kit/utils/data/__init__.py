"""``torch.utils.data``: datasets, samplers and the DataLoader, at PyTorch's module paths.

    from autograd_kit.utils.data import TensorDataset, DataLoader
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    for xb, yb in loader: ...

Shuffling draws its numbers exactly as PyTorch's Python code does (one seed from the global generator per
epoch, then ``randperm`` from a generator seeded with it), through the kit's random functions.
"""
from .dataset import (ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, StackDataset,  # noqa: F401
                      random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,  # noqa: F401
                      WeightedRandomSampler)
from .dataloader import DataLoader, default_collate, default_convert, get_worker_info  # noqa: F401

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset", "RandomSampler", "Sampler",
           "SequentialSampler", "StackDataset", "Subset", "SubsetRandomSampler", "TensorDataset",
           "WeightedRandomSampler", "default_collate", "default_convert", "get_worker_info", "random_split"]
