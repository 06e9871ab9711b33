"""Run one corpus script on PyTorch or on autograd_kit: ``python _run.py torch|kit script.py``.

For the kit, the script's imports are rewritten the way a student would (``import torch`` ->
``import autograd_kit as torch``, ``from torch.utils.data import X`` -> ``from autograd_kit.utils.data import X``);
nothing else in the script changes. The script runs in the current directory (the test gives it a fresh one)."""
import os
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).parent
ROOT = str(HERE.parent.parent)
SCRIPTS = sorted(p.name for p in HERE.glob("*.py") if not p.name.startswith("_"))

_IMPORT = re.compile(r"^(\s*)import torch(\.[\w.]+)?(\s+as\s+(\w+))?\s*$")
_FROM = re.compile(r"^(\s*)from torch(\.[\w.]+)? import ")


def to_kit(source):
    """Rewrite a script's torch imports to autograd_kit ones (only the import lines)."""
    out = []
    for line in source.splitlines():
        m = _IMPORT.match(line)
        if m:
            indent, sub, alias = m.group(1), m.group(2) or "", m.group(4)
            if not sub:
                line = f"{indent}import autograd_kit as {alias or 'torch'}"
            elif alias:
                line = f"{indent}import autograd_kit{sub} as {alias}"
            else:
                line = f"{indent}import autograd_kit as torch; import autograd_kit{sub}"
        else:
            m = _FROM.match(line)
            if m:
                line = _FROM.sub(lambda mm: f"{mm.group(1)}from autograd_kit{mm.group(2) or ''} import ", line)
        out.append(line)
    return "\n".join(out) + "\n"


def run_script(backend, name, cwd):
    """Run corpus script ``name`` on ``backend`` ('torch' or 'kit') in directory ``cwd``:
    (exit code, normalised stdout, stderr)."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONWARNINGS="ignore", MPLBACKEND="Agg")
    p = subprocess.run([sys.executable, str(HERE / "_run.py"), backend, str(HERE / name)], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=600)
    return p.returncode, normalise(p.stdout), p.stderr


def normalise(out):
    """Addresses differ from run to run; the kit's classes live in autograd_kit where PyTorch's live in torch."""
    out = re.sub(r"0x[0-9a-fA-F]+", "0x", out)
    return out.replace("<class 'autograd_kit.", "<class 'torch.")


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def masked(out):
    """The output's structure: every number (and True/False, which float comparisons print) replaced by #,
    spacing removed (tensors pad their columns to the widest number)."""
    return ["".join(NUMBER.sub("#", re.sub(r"\b(True|False)\b", "#", line)).split()) for line in out.splitlines()]


def losses(out):
    """The numbers printed after the word 'loss', in order."""
    vals = []
    for line in out.splitlines():
        m = re.search(r"loss\W*[:=]?\s*(?:tensor\()?([-+]?\d+\.?\d*(?:[eE][-+]?\d+)?)", line, re.IGNORECASE)
        if m:
            vals.append(float(m.group(1)))
    return vals


def main():
    backend, path = sys.argv[1], sys.argv[2]
    source = open(path).read()
    if backend == "kit":
        source = to_kit(source)
    code = compile(source, path, "exec")
    sys.argv = [path]
    exec(code, {"__name__": "__main__", "__file__": path})


if __name__ == "__main__":
    main()
