"""Build the course notebooks from tools/notebooks/*.py, execute them, and store them with outputs.

    python tools/build_notebooks.py            # all notebooks
    python tools/build_notebooks.py 02 04      # only those whose name starts with 02 or 04

Each notebook runs top to bottom in a fresh kernel (nbclient) from the notebooks/ folder; its run time
is printed (the course's budget is 20 s a notebook on 2 cores).
"""
import importlib
import json
import pathlib
import pkgutil
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "tools"))


def sources():
    import notebooks as pkg
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        yield importlib.import_module(f"notebooks.{info.name}")


def build(module):
    cells = []
    for kind, text, *tags in module.CELLS:
        cell = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        if tags:
            cell.metadata["tags"] = list(tags[0])
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def execute(nb):
    client = NotebookClient(nb, timeout=120, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    t0 = time.perf_counter()
    client.execute()
    return time.perf_counter() - t0


def stable_widget_ids(nb, number):
    """Widget model ids are random uuids: renumber them (same 32-hex form) so a rebuild that changes
    nothing else leaves the stored notebook unchanged."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    if not state:
        return nb
    text = json.dumps(nb)
    for n, old in enumerate(sorted(state, key=text.index), start=1):
        text = text.replace(old, f"{number:04d}{n:028x}")
    return nbformat.from_dict(json.loads(text))


def main(prefixes):
    NOTEBOOKS.mkdir(exist_ok=True)
    for module in sources():
        if prefixes and not any(module.TITLE.startswith(p) for p in prefixes):
            continue
        nb = build(module)
        seconds = execute(nb)
        nb = stable_widget_ids(nb, int(module.TITLE[:2]))
        for i, cell in enumerate(nb.cells):  # stable cell ids, so rebuilds diff only where something changed
            cell["id"] = f"{module.TITLE[:2]}-{i:02d}"
        path = NOTEBOOKS / f"{module.TITLE}.ipynb"
        nbformat.write(nb, path)
        print(f"{path.relative_to(ROOT)}: executed in {seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
