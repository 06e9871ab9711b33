"""Where the memory of ``bench_engine.py``'s "peak RSS, 20 big-MLP steps" row goes, for torch, NumPy and the kit.

Run: ``PYTHONPATH=$PWD python bench/bench_memory.py [--rounds 3] [--maps]``

Each library runs in a fresh process of its own (rounds in turns, medians printed), through the same phases as
the row (MLP 784-1024-1024-10, batch 512, SGD; ``bench_engine.BIG``):

- python: the bare interpreter;
- numpy: + NumPy and the benchmark's own modules (``bench_engine``: argparse, json, subprocess...);
- import: + ``import torch`` / ``import autograd_kit`` with ``nn`` and ``optim`` (NumPy: nothing more);
- build: + the model, optimizer and data (``nn.Linear`` initialization included);
- BLAS: + the kit's MKL loaded (``backends.mkl._get()``; torch and NumPy load theirs at import); in the row
  the kit loads it at the first step's first product, after the build, so here too;
- 20 steps: forward, backward, ``opt.step()``, ``zero_grad()``.

For each phase: the resident set after it (VmRSS) and the highest it reached during it (VmHWM, reset before
each phase through ``/proc/self/clear_refs``), then the whole run's peak, which is the row's figure, split
into file-backed pages (shared libraries) and anonymous memory (Python objects, arrays, BLAS buffers).
``--maps`` adds the largest mappings at the end of the steps (``/proc/self/smaps``). Linux only.
"""
import os
import sys  # nothing else at the top: the child's first phase is the bare interpreter

HERE = os.path.dirname(os.path.abspath(__file__))
LIBS = ("torch", "numpy", "kit")
PHASES = ("python", "numpy", "import", "build", "BLAS", "20 steps")
STEPS = 20


def _status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key = line.split(":")[0]
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
                out[key] = int(line.split()[1]) / 1024
    return out


def _reset_peak():
    """Start a new VmHWM from the current resident set (Linux ≥ 4.0); False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _maps(top):
    """The ``top`` largest mappings by resident size (MiB), shared libraries by file name."""
    sizes, name = {}, None
    with open("/proc/self/smaps") as f:
        for line in f:
            parts = line.split()
            if "-" in parts[0] and not parts[0].endswith(":"):
                name = os.path.basename(parts[5]) if len(parts) > 5 else "[anon]"
            elif parts[0] == "Rss:":
                sizes[name] = sizes.get(name, 0) + int(parts[1]) / 1024
    return sorted(sizes.items(), key=lambda kv: -kv[1])[:top]


def child(lib, maps):
    """One library, phase by phase, in this (fresh) process; prints one JSON line."""
    phases, whole_peak = [], 0.0
    resettable = _reset_peak()

    def phase(name):
        nonlocal whole_peak
        st = _status()
        whole_peak = max(whole_peak, st["VmHWM"])
        phases.append({"phase": name, "rss": st["VmRSS"], "peak": st["VmHWM"]})
        if resettable:
            _reset_peak()
        return st

    phase("python")
    sys.path.insert(0, HERE)
    import bench_engine  # numpy, and the row's harness (its environment settings come first, as in the row)
    phase("numpy")
    mod = bench_engine.load("autograd_kit" if lib == "kit" else lib)
    if lib != "numpy":
        mod.nn, mod.optim  # noqa: B018  (the kit loads nn and optim on first use)
    phase("import")
    step = bench_engine.BIG(mod)
    phase("build")
    if lib == "kit":
        from autograd_kit.backends import mkl
        mkl._get()
    phase("BLAS")
    for _ in range(STEPS):
        step()
    st = phase("20 steps")
    out = {"lib": lib, "phases": phases, "peak": whole_peak, "anon": st["RssAnon"], "file": st["RssFile"],
           "resettable": resettable}
    if maps:
        out["maps"] = _maps(12)
    import json
    print(json.dumps(out))


def main():
    import argparse
    import json
    import statistics
    import subprocess
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="fresh processes per library (medians printed)")
    ap.add_argument("--maps", action="store_true", help="also list the largest mappings after the steps")
    args = ap.parse_args()
    runs = {lib: [] for lib in LIBS}
    for _ in range(args.rounds):
        for lib in LIBS:
            cmd = [sys.executable, __file__, "--child", lib] + (["--maps"] if args.maps else [])
            r = subprocess.run(cmd, capture_output=True, text=True, check=True)
            runs[lib].append(json.loads(r.stdout.strip().splitlines()[-1]))
    med = {lib: {"peak": statistics.median(r["peak"] for r in rs),
                 "anon": statistics.median(r["anon"] for r in rs),
                 "file": statistics.median(r["file"] for r in rs),
                 "rss": [statistics.median(r["phases"][i]["rss"] for r in rs) for i in range(len(PHASES))],
                 "phase_peak": [statistics.median(r["phases"][i]["peak"] for r in rs) for i in range(len(PHASES))]}
           for lib, rs in runs.items()}
    resettable = all(r["resettable"] for rs in runs.values() for r in rs)
    print(f"Resident memory (MiB) of bench_engine's big-MLP row, phase by phase; median of {args.rounds} fresh "
          f"processes per library.\nEach cell: resident after the phase"
          + (" / highest during it." if resettable else " (per-phase peaks unavailable: no /proc/self/clear_refs).")
          + "\n")
    print("| phase | " + " | ".join(LIBS) + " |\n|---|" + "---|" * len(LIBS))
    for i, name in enumerate(PHASES):
        cells = []
        for lib in LIBS:
            m = med[lib]
            cells.append(f"{m['rss'][i]:.1f}" + (f" / {m['phase_peak'][i]:.1f}" if resettable and i else ""))
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| **peak (VmHWM)** | " + " | ".join(f"**{med[lib]['peak']:.1f}**" for lib in LIBS) + " |")
    print("| after steps: files / anonymous | "
          + " | ".join(f"{med[lib]['file']:.1f} / {med[lib]['anon']:.1f}" for lib in LIBS) + " |")
    t, n, k = med["torch"]["peak"], med["numpy"]["peak"], med["kit"]["peak"]
    print(f"\nkit peak: {k / t:.2f}x torch (target <= 0.25x: {'ok' if k / t <= 0.25 else 'OVER'}), "
          f"{k / n:.2f}x the NumPy step; kit - NumPy = {k - n:.1f} MiB")
    if args.maps:
        for lib in LIBS:
            print(f"\n{lib}: largest mappings after the steps (first round)")
            for name, mib in runs[lib][0]["maps"]:
                print(f"  {mib:7.1f}  {name}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:  # before argparse & co. are imported: they would count as the baseline
        child(sys.argv[2], "--maps" in sys.argv)
    else:
        main()
