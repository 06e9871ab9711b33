"""Big graphs never hang: shared tensors drawn once per use, bounded layout effort, one box per
nn.Module call above max_nodes, with a title that says what is shown."""
import time

import autograd_kit as torch
from autograd_kit.viz import draw_dot, make_dot


def rnn(steps):
    """60 time steps sharing W, U, b: 304 backward nodes (Graphviz took > 40 s on this before)."""
    torch.manual_seed(0)
    W, U = torch.randn(4, 4, requires_grad=True), torch.randn(4, 4, requires_grad=True)
    b = torch.randn(4, requires_grad=True)
    h = torch.zeros(1, 4)
    for _ in range(steps):
        h = torch.tanh(torch.randn(1, 4) @ W + h @ U + b)
    return h.sum(), {"W": W, "U": U, "b": b}


def test_shared_parameters_lay_out_fast():
    loss, params = rnn(60)
    view = make_dot(loss, params=params)
    assert view.node_count == 304 and not view.collapsed
    assert "(used again)" in view.source and "mclimit" in view.source
    t0 = time.perf_counter()
    assert "<svg" in view.svg()
    elapsed = time.perf_counter() - t0
    print(f"dot layout, 304-node shared-weight graph: {elapsed:.2f} s")
    assert elapsed < 3
    t0 = time.perf_counter()
    assert "<svg" in draw_dot(rnn(40)[0], max_nodes=300).svg()
    assert time.perf_counter() - t0 < 3


def test_collapsed_view_one_box_per_module_call():
    torch.manual_seed(0)
    cell = torch.nn.Linear(8, 8)
    h = torch.zeros(1, 8)
    for _ in range(30):
        h = torch.tanh(cell(h))
    net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU())
    loss = net(h).sum()
    params = dict(net.named_parameters())
    view = make_dot(loss, params=params, max_nodes=40)
    src = view.source
    assert view.collapsed and "max_nodes=40" in src
    assert "31 nn.Module calls as one box each" in src  # 30 calls of cell + net (its children inside)
    assert src.count("Linear(8→8)") == 30 and "Sequential(" in src
    fine = make_dot(loss, params=params, max_nodes=70).source  # room for net's children
    assert "0: Linear(8→4)" in fine and "ReLU()" in fine
