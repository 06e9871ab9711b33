"""Per-call cost of the view and shape ops (issue #14): PyTorch 2.13 vs autograd_kit, each in its own process.

    python bench/bench_views.py            # every row
    python bench/bench_views.py --only t   # rows whose name contains "t"

Rows "off": grad mode off (what backward formulas run in); rows "rec": a leaf that requires grad, recorded.
A row's figure is the minimum over repeats of the mean time per call (us); the ratio is kit / torch.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# (name, setup, statement): setup defines g0 (0-d), G (16,16), w (1,16), x (16,), W (16,2) requiring grad
ROWS = [
    ("off expand((16,1)) 0-d", "g0.expand((16, 1))"),
    ("off expand(16,1) 0-d", "g0.expand(16, 1)"),
    ("off expand(16,16) (16,1)", "c.expand(16, 16)"),
    ("off expand_as", "c.expand_as(G)"),
    ("off reshape(256)", "G.reshape(256)"),
    ("off reshape(-1)", "G.reshape(-1)"),
    ("off reshape((16,16)) of (256,)", "F.reshape((16, 16))"),
    ("off view(256)", "G.view(256)"),
    ("off view(-1, 16)", "G.view(-1, 16)"),
    ("off t() (1,16)", "w.t()"),
    ("off t() (16,16)", "G.t()"),
    ("off transpose(0,1)", "G.transpose(0, 1)"),
    ("off permute(1,0)", "G.permute(1, 0)"),
    ("off unsqueeze(0)", "x.unsqueeze(0)"),
    ("off squeeze()", "w.squeeze()"),
    ("off squeeze(0)", "w.squeeze(0)"),
    ("off flatten()", "G.flatten()"),
    ("off G[0]", "G[0]"),
    ("rec W.t()", "W.t()"),
    ("rec W.view(32)", "W.view(32)"),
    ("rec W.reshape(32)", "W.reshape(32)"),
    ("rec W.transpose(0,1)", "W.transpose(0, 1)"),
    ("rec W.permute(1,0)", "W.permute(1, 0)"),
    ("rec W.unsqueeze(0)", "W.unsqueeze(0)"),
    ("rec V.squeeze()", "V.squeeze()"),
    ("rec V.squeeze(0)", "V.squeeze(0)"),
    ("rec W.flatten()", "W.flatten()"),
    ("rec V.expand(16,16)", "V.expand(16, 16)"),
    ("rec W[0]", "W[0]"),
]

SETUP = """
import {mod} as torch
g0 = torch.tensor(1.0); G = torch.ones(16, 16); w = torch.ones(1, 16); x = torch.ones(16)
c = torch.ones(16, 1); F = torch.ones(256)
W = torch.ones(16, 2, requires_grad=True); V = torch.ones(1, 16, requires_grad=True)
"""


def child(mod, only, number, repeat):
    import timeit
    env = {}
    exec(SETUP.format(mod=mod), env)
    torch = env["torch"]
    out = {}
    for name, stmt in ROWS:
        if only and only not in name:
            continue
        if name.startswith("off"):
            with torch.no_grad():
                t = timeit.repeat(stmt, globals=env, number=number, repeat=repeat)
        else:
            t = timeit.repeat(stmt, globals=env, number=number, repeat=repeat)
        out[name] = min(t) / number * 1e6
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only", default="")
    p.add_argument("--number", type=int, default=20000)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--child", default=None)
    p.add_argument("--libs", default="torch,autograd_kit")
    a = p.parse_args()
    if a.child:
        return child(a.child, a.only, a.number, a.repeat)
    res = {}
    for mod in a.libs.split(","):
        r = subprocess.run([sys.executable, __file__, "--child", mod, "--only", a.only, "--number", str(a.number),
                            "--repeat", str(a.repeat)], capture_output=True, text=True, check=True)
        res[mod] = json.loads(r.stdout)
    libs = a.libs.split(",")
    print(f"{'row':34}" + "".join(f"{m:>14}" for m in libs) + ("      ratio" if len(libs) == 2 else ""))
    for name in res[libs[0]]:
        vals = [res[m][name] for m in libs]
        line = f"{name:34}" + "".join(f"{v:12.2f}us" for v in vals)
        if len(libs) == 2:
            line += f"  {vals[1] / vals[0]:8.2f}x"
        print(line)


if __name__ == "__main__":
    main()
