"""Run the tutorial corpus (tests/tutorials/*.py) on PyTorch and on autograd_kit and print the tally:
how many scripts run on the kit, how many print exactly PyTorch's output, how many keep its structure
(same output with the numbers masked), and for the others which line first differs.

    PYTHONPATH=$PWD python tools/tutorial_corpus.py [-v] [script ...]
"""
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "tutorials"))
from _run import SCRIPTS, losses, masked, run_script  # noqa: E402


def main(argv):
    verbose = "-v" in argv
    names = [a for a in argv if not a.startswith("-")] or SCRIPTS
    runs = same = shape = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            rows = {}
            for backend in ("torch", "kit"):
                cwd = pathlib.Path(tmp) / name / backend
                cwd.mkdir(parents=True)
                rows[backend] = run_script(backend, name, cwd)
            (rc_t, out_t, _), (rc_k, out_k, err_k) = rows["torch"], rows["kit"]
            if rc_k != 0:
                status = "FAILS: " + (err_k.strip().splitlines() or ["?"])[-1]
            elif out_k == out_t:
                runs, same, shape = runs + 1, same + 1, shape + 1
                status = "identical"
            else:
                runs += 1
                mk, mt = masked(out_k), masked(out_t)
                lk = losses(out_k)
                fall = f", loss {lk[0]:.4g} -> {lk[-1]:.4g}" if len(lk) >= 2 else ""
                if mk == mt:
                    shape += 1
                    status = "numbers differ" + fall
                else:
                    status = "structure differs" + fall
                if verbose:
                    kl, tl = out_k.splitlines(), out_t.splitlines()
                    i = next((i for i, (a, b) in enumerate(zip(kl, tl)) if a != b), min(len(kl), len(tl)))
                    status += f"\n      first difference at line {i + 1}:\n      torch: {tl[i] if i < len(tl) else '<end>'}" \
                              f"\n      kit:   {kl[i] if i < len(kl) else '<end>'}"
            if rc_t != 0:
                status += "  (fails on PyTorch too)"
            print(f"{name:36s} {status}")
    n = len(names)
    print(f"\n{runs}/{n} run on the kit, {same}/{n} print PyTorch's output exactly, {shape}/{n} keep its structure")


if __name__ == "__main__":
    main(sys.argv[1:])
