"""Feedback per student, the class gradebook (CSV) and Gradescope-style results.json."""
import csv
import io
import json
import os
import pathlib
import tempfile

from .submission import safe_name


def write_atomic(path, text):
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one, never half of one."""
    path = pathlib.Path(path)
    for parent in reversed(path.parents):  # something else in the way of a folder: moved aside, kept
        if parent.exists() and (parent.is_symlink() or not parent.is_dir()):
            os.replace(parent, parent.with_name(parent.name + f".not-a-folder-{os.getpid()}"))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise


def feedback_text(result):
    """What the student reads: score, each test passed/failed with its hint, notes. No test source."""
    lines = [f"# {result['exercise'] or 'unknown exercise'} — {result['student']}",
             f"Score: {result['score']:g} / {result['max_score']:g}", ""]
    for t in result["tests"]:
        mark = "passed" if t["score"] == t["max_score"] and t["max_score"] else "FAILED"
        lines.append(f"- {t['name']}: {mark} ({t['score']:g}/{t['max_score']:g})"
                     + ("" if t["output"] == "passed" else f" — {t['output']}"))
    if result["notes"]:
        lines += ["", "Notes:"] + [f"- {n}" for n in result["notes"]]
    return "\n".join(lines) + "\n"


def gradescope_json(result):
    return {"score": result["score"], "max_score": result["max_score"],
            "output": "\n".join(result["notes"]),
            "tests": [{k: t[k] for k in ("name", "score", "max_score", "output", "visibility") if k in t}
                      for t in result["tests"]]}


def write_feedback(result, out_dir):
    out_dir = pathlib.Path(out_dir)
    ex, student = safe_name(result["exercise"] or "unknown"), safe_name(result["student"])
    write_atomic(out_dir / "feedback" / student / f"{ex}.md", feedback_text(result))
    write_atomic(out_dir / "gradescope" / student / ex / "results.json",
                  json.dumps(gradescope_json(result), indent=1))


def write_gradebook(results, out_dir):
    out_dir = pathlib.Path(out_dir)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "exercise", "score", "max_score", "notes"])
    for r in sorted(results, key=lambda r: (r["student"], r["exercise"] or "")):
        w.writerow([r["student"], r["exercise"] or "", f"{r['score']:g}", f"{r['max_score']:g}", " | ".join(r["notes"])])
    write_atomic(out_dir / "gradebook.csv", buf.getvalue())
    write_atomic(out_dir / "results.json", json.dumps([gradescope_json(r) | {"student": r["student"],
                                                         "exercise": r["exercise"]} for r in results], indent=1))
