"""``autograd-kit release``: student versions of instructor source notebooks.

Releasing a source first *seals* it: the source runs top to bottom in a fresh kernel with its solutions in
place (so a solution that fails its own tests stops the release, naming the cell), and every
``expect_answer(name, value)`` records the key of the solution's value (``keys.py``). The keys are written
into the source's test cells (a changed source is saved; an unchanged answer keeps its key), then the
student version is made: solutions replaced by a placeholder, hidden tests removed, outputs cleared.
"""
import ast
import json
import os
import pathlib
import subprocess
import tempfile

import nbformat

from . import keys, markers

CELL_TIMEOUT = 300


class ReleaseError(Exception):
    """The source cannot be released (a solution fails its tests, a malformed check...)."""


def student_version(nb):
    """Solutions replaced by a placeholder, hidden tests removed, outputs cleared; metadata kept. Locked
    cells are made read-only and answer cells undeletable in JupyterLab (as nbgrader's LockCells does);
    the grader does not rely on that: it restores locked and test cells from the source."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if markers.info(cell).get("locked"):
            cell.metadata["editable"] = False
            cell.metadata["deletable"] = False
        elif markers.is_solution(cell):
            cell.metadata["deletable"] = False
        if cell.cell_type == "code":
            if markers.is_solution(cell):
                cell.source = markers.strip_solution(cell.source)
            if markers.is_test(cell) or markers.BEGIN_HIDDEN in cell.source:
                cell.source = markers.strip_hidden_tests(cell.source)
            cell.outputs = []
            cell.execution_count = None
        elif markers.BEGIN_SOLUTION in cell.source:
            cell.source = markers.strip_solution(cell.source)
    return nb


# ---- sealing: run the solution, write the keys ------------------------------------------------------------
def _call_name(func):
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def set_keys(source, records, where="a cell"):
    """``source`` with the key of each ``expect_answer`` call set from ``records`` (``{"line", "key"}`` in
    the order the calls ran)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        raise ReleaseError(f"{where}: cannot read the expect_answer calls ({e.msg}, line {e.lineno})") from None
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n.func) == "expect_answer"),
                   key=lambda n: (n.lineno, n.col_offset))
    if len(calls) != len(records):
        raise ReleaseError(f"{where}: {len(calls)} expect_answer call(s) but {len(records)} ran with the solution; "
                           "each must run exactly once (not in a loop, not skipped)")
    data = source.encode()
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(lineno, col):
        return starts[lineno - 1] + col

    edits = []
    for call, rec in zip(calls, records):
        if not call.lineno <= rec["line"] <= call.end_lineno:
            raise ReleaseError(f"{where}: the expect_answer calls ran in another order than they are written")
        literal = json.dumps(rec["key"]).encode()
        kw = next((k for k in call.keywords if k.arg == "key"), None)
        target = kw.value if kw else call.args[2] if len(call.args) >= 3 else None
        if target is not None:
            edits.append((offset(target.lineno, target.col_offset), offset(target.end_lineno, target.end_col_offset), literal))
        elif len(call.args) == 2:
            end = offset(call.args[1].end_lineno, call.args[1].end_col_offset)
            edits.append((end, end, b", " + literal))
        else:
            raise ReleaseError(f"{where}: expect_answer(name, value) needs its name and value as the first two arguments")
    for start, end, text in sorted(edits, reverse=True):
        data = data[:start] + text + data[end:]
    return data.decode()


def seal(nb, cwd, timeout=CELL_TIMEOUT, name="the source"):
    """Run the source ``nb`` with its solutions and return a copy whose ``expect_answer`` keys are set."""
    from nbclient import NotebookClient
    nb = nbformat.from_dict(nb)
    run = nbformat.from_dict(nb)
    run.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with tempfile.TemporaryDirectory(prefix="ak-seal-") as tmp:
        seal_file = pathlib.Path(tmp) / "keys.jsonl"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER_"))}
        env.update({keys.SEAL_ENV: str(seal_file), "MPLBACKEND": "Agg"})
        client = NotebookClient(run, timeout=timeout, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(cwd)}})
        with client.setup_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            for i, cell in enumerate(run.cells):
                if cell.cell_type != "code":
                    continue
                seal_file.write_text("")
                client.execute_cell(cell, i)
                errors = [o for o in cell.outputs if o.output_type == "error"]
                where = f"{name}, cell {i} ({markers.grade_id(cell) or 'no grade_id'})"
                if errors:
                    raise ReleaseError(f"{where} fails with the solution in place: {errors[0].ename}: "
                                       f"{errors[0].evalue}"[:800])
                records = [json.loads(line) for line in seal_file.read_text().splitlines() if line.strip()]
                if records or "expect_answer" in cell.source:
                    nb.cells[i].source = set_keys(cell.source, records, where)
    return nb


def release(sources, out_dir):
    """Seal each source notebook (saving it if a key changed) and write its student version to ``out_dir``."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sources:
        src = pathlib.Path(src)
        nb = nbformat.read(src, as_version=4)
        sealed = seal(nb, src.resolve().parent, name=src.name)
        if [c.source for c in sealed.cells] != [c.source for c in nb.cells]:
            nbformat.write(sealed, src)
        target = out_dir / src.name
        nbformat.write(student_version(sealed), target)
        written.append(target)
    return written
