"""Read a submission (never write it), tell whose and which exercise it is, and list the cells to run.

Reading is lenient and explains itself: a BOM, CRLF, Latin-1 bytes, nbformat 3 or 4.0, cells without
``source`` or with a list ``source``, metadata of the wrong type, huge stored outputs (ignored) each give
a clear note instead of a crash. Deep or malformed JSON is refused with a note.
"""
import hashlib
import json
import pathlib
import re

from . import markers

MAX_BYTES = 200 << 20


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def safe_name(text, fallback="unknown"):
    """A file-name-safe identity: letters, digits, ``-``, ``_`` and inner dots; no separators, no ``..``."""
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._-")
    text = re.sub(r"\.{2,}", "_", text)[:100]
    return text or fallback


def parse(raw):
    """(cells, metadata, notes) of notebook bytes; cells are dicts {cell_type, source, metadata}.
    Raises ValueError(note) when the bytes are not a notebook."""
    notes = []
    if not raw.strip():
        raise ValueError("the file is empty")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        notes.append("the file starts with a byte-order mark (ignored)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        notes.append("the file is not UTF-8; it was read as Latin-1")
    if "\r\n" in text:
        notes.append("the file has Windows line endings (CRLF); read as usual")
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("the file is JSON nested too deeply to be a notebook") from None
    except ValueError as e:
        raise ValueError(f"the file is not valid JSON ({str(e)[:80]}); was it saved from Jupyter?") from None
    if not isinstance(data, dict) or not ("cells" in data or "worksheets" in data):
        raise ValueError("the file is JSON but not a notebook")
    if "worksheets" in data and "cells" not in data:
        data = _from_v3(data)
        notes.append(f"notebook format {data.get('nbformat', 3)} was converted to format 4 before grading")
    elif data.get("nbformat") == 4 and isinstance(data.get("nbformat_minor"), int) and data["nbformat_minor"] < 4:
        notes.append(f"notebook format 4.{data['nbformat_minor']} (an older Jupyter); read as format 4")
    cells = data.get("cells")
    if not isinstance(cells, list):
        raise ValueError("the notebook's `cells` is not a list")
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        notes.append("the notebook's metadata is not a dictionary (ignored)")
        meta = {}
    out = []
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict):
            notes.append(f"cell {i + 1} is not a cell (ignored)")
            continue
        source = cell.get("source", cell.get("input"))
        if source is None:
            notes.append(f"cell {i + 1} has no source (treated as empty)")
            source = ""
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            notes.append(f"cell {i + 1}'s source is not text (treated as empty)")
            source = ""
        cmeta = cell.get("metadata")
        if not isinstance(cmeta, dict):
            if cmeta is not None:
                notes.append(f"cell {i + 1}'s metadata is not a dictionary (ignored)")
            cmeta = {}
        if "nbgrader" in cmeta and not isinstance(cmeta["nbgrader"], dict):
            notes.append(f"cell {i + 1}'s nbgrader metadata is not a dictionary (ignored)")
            cmeta = dict(cmeta, nbgrader={})
        ctype = cell.get("cell_type") if isinstance(cell.get("cell_type"), str) else "code"
        out.append({"cell_type": ctype, "source": source.replace("\r\n", "\n"), "metadata": cmeta})
    if not out:
        notes.append("the notebook has no cells")
    return out, meta, notes


def _from_v3(data):
    cells = []
    for ws in data.get("worksheets") or []:
        if isinstance(ws, dict) and isinstance(ws.get("cells"), list):
            cells += ws["cells"]
    return {"cells": cells, "metadata": data.get("metadata", {}), "nbformat": data.get("nbformat", 3)}


def read(path):
    """(raw bytes, cells or None, metadata, notes). Never follows a symlink, never writes."""
    path = pathlib.Path(path)
    if path.is_symlink():
        return None, None, {}, ["the submission is a symbolic link; submit the notebook file itself (not graded)"]
    if not path.is_file():
        return None, None, {}, ["the submission is not a regular file (not graded)"]
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, None, {}, [f"the file is larger than {MAX_BYTES >> 20} MB (not graded)"]
        raw = path.read_bytes()
    except OSError as e:
        return None, None, {}, [f"the file could not be read ({e.strerror})"]
    try:
        cells, meta, notes = parse(raw)
    except ValueError as e:
        return raw, None, {}, [str(e)]
    return raw, cells, meta, notes


def identify(path, meta, exercises, root=None):
    """(student, exercise, notes) from the path; the notebook's metadata names the exercise only when the
    path does not. Under a class folder ``root``: ``root/alice/<anything>.ipynb`` is alice's (a file named
    after a classmate is still alice's), ``root/02_gradients/bob.ipynb`` and ``root/carol__02_gradients.ipynb``
    name the student by file. Without ``root``: ``alice/02_gradients.ipynb`` is alice's."""
    path = pathlib.Path(path)
    notes, stem, parent = [], path.stem, path.parent.name
    exercise = stem if stem in exercises else parent if parent in exercises else next(
        (e for e in sorted(exercises, key=len, reverse=True) if e in stem), None)
    try:
        parts = path.relative_to(root).parts if root is not None else ()
    except ValueError:
        parts = ()
    if len(parts) >= 2 and parts[0] not in exercises:
        student = parts[0]
    elif stem in exercises or (not parts and exercise is None):
        student = parent if stem in exercises else stem
    else:
        student = (stem.replace(exercise, "").strip("_- .") if exercise and exercise != parent else stem) or parent
    claimed = (meta.get("autograd_kit") or {}).get("exercise") if isinstance(meta.get("autograd_kit"), dict) else None
    if exercise is None:
        if isinstance(claimed, str) and claimed in exercises:
            exercise = claimed
        elif len(exercises) == 1:
            exercise = next(iter(exercises))
    elif isinstance(claimed, str) and claimed != exercise:
        notes.append(f"the notebook's metadata names exercise {safe_name(claimed)!r} but the file is "
                     f"{exercise!r}; graded as {exercise!r}")
    return safe_name(student), exercise, notes


def plan(source_cells, student_cells):
    """The cells to run in the sandbox, in the student's order, as [(kind, grade_id, code)], and notes.

    Answer cells and the student's own cells come from the submission; locked cells from the source
    (a deleted one is put back before the first answer that follows it in the source); test cells never run
    in the sandbox (the grader runs them). A duplicated answer cell: both run, in order, so the one
    Jupyter would run last wins."""
    solutions, locked, tests, order = set(), {}, set(), []
    for c in source_cells:
        if c["cell_type"] != "code":
            continue
        gid = markers.grade_id(c)
        if markers.is_test(c):
            tests.add(gid)
        elif markers.is_solution(c):
            solutions.add(gid)
            order.append(("answer", gid))
        elif gid:
            locked[gid] = c["source"]
            order.append(("locked", gid))
    run, seen, notes = [], {}, []
    for c in student_cells:
        if c["cell_type"] != "code":
            continue
        gid = markers.grade_id(c)
        if gid in tests:
            continue
        if gid in solutions:
            seen[gid] = seen.get(gid, 0) + 1
            run.append(("answer", gid, c["source"]))
        elif gid in locked:
            if gid not in seen:
                run.append(("locked", gid, locked[gid]))
            seen[gid] = seen.get(gid, 0) + 1
        else:
            run.append(("extra", None, c["source"]))
    for gid, n in seen.items():
        if n > 1 and gid in solutions:
            notes.append(f"{gid}: the answer cell appears {n} times; all ran in order, so the last one counts")
    for i, (kind, gid) in enumerate(order):
        if kind == "answer" and gid not in seen:
            notes.append(f"{gid}: the answer cell is missing from the submission")
        if kind == "locked" and gid not in seen:
            later = {g for k, g in order[i + 1:] if k == "answer"}
            at = next((j for j, (k, g, _) in enumerate(run) if k == "answer" and g in later), len(run))
            run.insert(at, ("locked", gid, locked[gid]))
            seen[gid] = 1
    return run, notes
