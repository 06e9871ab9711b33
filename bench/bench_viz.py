"""Graph-view benchmarks: make_dot on a 1,000-node graph (target < 1 s), Graphviz layout of shared-weight
(RNN-like) graphs of 100/200/300 nodes with each renderer (target < 2 s), and the stepper's per-step cost.

    python bench/bench_viz.py
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import autograd_kit as torch  # noqa: E402
from autograd_kit.viz import make_dot, step_backward, step_forward  # noqa: E402
from autograd_kit.viz import render  # noqa: E402
from autograd_kit.viz.render import find_renderer  # noqa: E402


def graph(n_ops):
    """A graph with branches (not just a chain): n_ops nodes, about a third of them leaves' uses."""
    torch.manual_seed(0)
    xs = [torch.randn(3, requires_grad=True) for _ in range(10)]
    y = xs[0]
    for i in range(n_ops // 2):
        y = (y * xs[i % 10]).tanh() if i % 3 else y + xs[(i * 7) % 10]
    return y.sum()


def rnn(steps):
    """Time steps sharing W, U and b: every step uses the same three leaves (5 nodes per step)."""
    torch.manual_seed(0)
    W, U = torch.randn(4, 4, requires_grad=True), torch.randn(4, 4, requires_grad=True)
    b = torch.randn(4, requires_grad=True)
    h = torch.zeros(1, 4)
    for _ in range(steps):
        h = torch.tanh(torch.randn(1, 4) @ W + h @ U + b)
    return h.sum()


def layout_times():
    for steps in (20, 40, 60):
        loss = rnn(steps)
        view = make_dot(loss)
        cells = []
        for kind in ("dot", "graphviz-pure"):
            os.environ["AUTOGRAD_KIT_RENDERER"] = kind
            if render.find_renderer()[0] is None:
                cells.append(f"{kind} not installed")
                continue
            t, _ = timed(lambda: view.pipe("svg"), repeat=1)
            cells.append(f"{kind} {t:.2f} s")
        os.environ.pop("AUTOGRAD_KIT_RENDERER")
        print(f"shared-weight graph, {view.node_count} nodes: SVG layout " + ", ".join(cells))


def timed(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    loss = graph(1190)
    n = len(torch.autograd.graph.topological_nodes(loss))
    t_dot, view = timed(lambda: make_dot(loss, max_nodes=10_000))
    kind, _ = find_renderer()
    t_default, default = timed(lambda: make_dot(loss))
    t_svg, _ = timed(lambda: default.pipe("svg"), repeat=1)
    print(f"make_dot, {n}-node graph: all nodes, DOT text {t_dot * 1e3:.0f} ms (target < 1000 ms); "
          f"default view (max_nodes=500, chains collapsed: {default.source.count('->')} edges) "
          f"{t_default * 1e3:.0f} ms + {kind} SVG layout {t_svg:.2f} s")
    layout_times()
    small = graph(50)
    m = len(torch.autograd.graph.topological_nodes(small))
    t_rec, w = timed(lambda: step_backward(small))
    per_step = len(json.dumps(w.frames)) / w.n_steps
    t_step, _ = timed(lambda: [w.next() for _ in range(w.n_steps)] and w.reset())
    print(f"step_backward, {m}-node graph: record + layout {t_rec * 1e3:.0f} ms for {w.n_steps} steps; "
          f"{per_step / 1024:.1f} KiB of frame data per step, sent once; "
          f"kernel-side step change {t_step / w.n_steps * 1e6:.0f} µs; in the browser a step toggles CSS classes "
          "and swaps one panel (no layout; tests/viz/test_browser.py measures the click-to-text time)")
    big = graph(270)
    m = len(torch.autograd.graph.topological_nodes(big))
    t_rec, w = timed(lambda: step_backward(big, max_nodes=1000), repeat=1)
    t_png, png = timed(lambda: w.png(), repeat=1)
    t_fwd, f = timed(lambda: step_forward(lambda t: t * 1.0, big), repeat=1)
    print(f"step_backward, {m}-node graph: record (every rule re-derived and checked) + SVG layout "
          f"{t_rec * 1e3:.0f} ms, {len(json.dumps(w.frames)) / 1024:.0f} KiB of frames; PNG copy for kernel-free "
          f"views {t_png * 1e3:.0f} ms ({len(png) / 1024:.0f} KiB); step_forward on it {t_fwd * 1e3:.0f} ms "
          "(browser step time: tests/viz/test_browser.py, target < 30 ms)")


if __name__ == "__main__":
    main()
