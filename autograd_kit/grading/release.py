"""``autograd-kit release``: student versions of instructor source notebooks."""
import pathlib

import nbformat

from . import markers


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


def release(sources, out_dir):
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sources:
        src = pathlib.Path(src)
        nb = nbformat.read(src, as_version=4)
        target = out_dir / src.name
        nbformat.write(student_version(nb), target)
        written.append(target)
    return written
