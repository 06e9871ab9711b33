"""Run one corpus script on PyTorch or on autograd_kit: ``python _run.py torch|kit script.py``.

For the kit, the script's imports are rewritten the way a student would (``import torch`` ->
``import autograd_kit as torch``, ``from torch.utils.data import X`` -> ``from autograd_kit.utils.data import X``);
nothing else in the script changes. The script runs in the current directory (the test gives it a fresh one)."""
import re
import sys

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
