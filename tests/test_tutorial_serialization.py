"""torch.save / torch.load: files the kit writes load back identically, load in PyTorch 2.13, and files
PyTorch writes load in the kit; a weights-only load never runs code from the file."""
import io
import pickle

import numpy as np
import pytest
import torch as real_torch

import autograd_kit as ak


def _same(a, b):
    """Kit and torch objects hold the same data (recursively)."""
    if hasattr(a, "_data") or isinstance(a, real_torch.Tensor):
        na = a.detach().numpy() if isinstance(a, real_torch.Tensor) else a._data
        nb = b.detach().numpy() if isinstance(b, real_torch.Tensor) else b._data
        return (na.dtype == nb.dtype and na.shape == nb.shape and np.array_equal(na, nb)
                and a.requires_grad == b.requires_grad)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and type(a).__name__ != "Size":
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return repr(a) == repr(b)


def _build(torch):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.ones(2, 3)).sum().backward()
    opt.step()
    return {"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 3, "losses": [0.5, 0.25],
            "ints": torch.tensor([1, 2, 3]), "half": torch.tensor([1.5], dtype=torch.float16),
            "flags": torch.tensor([True, False]), "scalar": torch.tensor(2.5, dtype=torch.float64),
            "empty": torch.zeros(0, 3), "view": torch.arange(12.).reshape(3, 4).t()[1:],
            "param": torch.nn.Parameter(torch.ones(2)), "size": torch.Size([2, 3]), "dtype": torch.float64,
            "device": torch.device("cpu"), "nested": ({"a": (1, "x")}, None, True, b"raw")}


def test_kit_files_load_back_identically(tmp_path):
    obj = _build(ak)
    ak.save(obj, tmp_path / "ck.pt")
    back = ak.load(tmp_path / "ck.pt")
    assert _same(obj, back)
    assert type(back["param"]).__name__ == "Parameter" and back["view"].is_contiguous()


def test_kit_files_load_in_pytorch(tmp_path):
    obj = _build(ak)
    ak.save(obj, str(tmp_path / "ck.pt"))
    theirs = real_torch.load(str(tmp_path / "ck.pt"))  # weights_only=True: only PyTorch's safe subset
    assert _same(obj, theirs)
    assert isinstance(theirs["param"], real_torch.nn.Parameter) and theirs["size"] == real_torch.Size([2, 3])


def test_pytorch_files_load_in_the_kit(tmp_path):
    obj = _build(real_torch)
    real_torch.save(obj, str(tmp_path / "theirs.pt"))
    ours = ak.load(str(tmp_path / "theirs.pt"))
    assert _same(obj, ours)
    assert repr(ours["dtype"]) == "torch.float64" and repr(ours["size"]) == "torch.Size([2, 3])"


def test_pytorch_views_sharing_a_storage_load_as_their_values(tmp_path):
    base = real_torch.arange(24.).reshape(4, 6)
    obj = {"base": base, "col": base[:, 2], "block": base[1:3, 2:5], "t": base.t()}
    real_torch.save(obj, str(tmp_path / "v.pt"))
    assert _same(obj, ak.load(str(tmp_path / "v.pt")))


def test_state_dicts_round_trip_into_new_objects(tmp_path):
    ak.manual_seed(1)
    model = ak.nn.Linear(3, 2)
    opt = ak.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(ak.ones(1, 3)).sum().backward()
    opt.step()
    buf = io.BytesIO()
    ak.save({"model": model.state_dict(), "opt": opt.state_dict()}, buf)
    buf.seek(0)
    ck = ak.load(buf, map_location="cpu", weights_only=True)
    model2 = ak.nn.Linear(3, 2)
    model2.load_state_dict(ck["model"])
    opt2 = ak.optim.SGD(model2.parameters(), lr=0.5)
    opt2.load_state_dict(ck["opt"])
    assert ak.equal(model2.weight, model.weight) and opt2.param_groups[0]["lr"] == 0.1
    x = ak.ones(1, 3)
    assert ak.equal(model2(x), model(x))


class Net(ak.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = ak.nn.Linear(2, 1)


def test_whole_objects_need_weights_only_false(tmp_path):
    path = str(tmp_path / "net.pt")
    ak.save(Net(), path)
    with pytest.raises(pickle.UnpicklingError) as ours:
        ak.load(path)

    class TNet(real_torch.nn.Module):
        pass
    TNet.__module__, TNet.__qualname__ = Net.__module__, "Net"
    real_torch.save(real_torch.nn.Module(), str(tmp_path / "tnet.pt"))
    with pytest.raises(pickle.UnpicklingError) as theirs:
        real_torch.load(str(tmp_path / "tnet.pt"))
    want = str(theirs.value).replace("torch.nn.modules.module.Module", f"{Net.__module__}.Net")
    assert str(ours.value).split("\nHint:")[0] == want
    assert isinstance(ak.load(path, weights_only=False), Net)


def test_a_malicious_file_runs_nothing(tmp_path):
    class Evil:
        def __reduce__(self):
            return (exec, ("import sys; sys.modules['__main__'].HACKED = True",))
    path = str(tmp_path / "evil.pt")
    ak.save({"w": ak.ones(1), "x": Evil()}, path)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL builtins.exec"):
        ak.load(path)
    import sys
    assert not hasattr(sys.modules["__main__"], "HACKED")


def test_cuda_locations_need_map_location(tmp_path):
    path = str(tmp_path / "w.pt")
    ak.save(ak.ones(2), path)
    with pytest.raises(RuntimeError) as ours:
        ak.load(path, map_location="cuda")
    with pytest.raises(RuntimeError) as theirs:
        real_torch.load(path, map_location="cuda")
    assert str(ours.value).split("\nHint:")[0] == str(theirs.value)
    assert ak.equal(ak.load(path, map_location=ak.device("cpu")), ak.ones(2))
    assert ak.equal(ak.load(path, map_location=lambda storage, loc: storage), ak.ones(2))


def test_not_a_zip_file(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError, match="Invalid magic number; corrupt file"):
        ak.load(str(path))
