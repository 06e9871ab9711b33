"""nbgrader's markers and cell metadata: find graded cells, strip solutions and hidden tests."""
import re

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
PLACEHOLDER = "# YOUR CODE HERE\nraise NotImplementedError()"


def info(cell):
    """The cell's nbgrader metadata (empty dict if none)."""
    data = cell.get("metadata", {}).get("nbgrader", {})
    return data if isinstance(data, dict) else {}


def grade_id(cell):
    return info(cell).get("grade_id")


def is_solution(cell):
    return bool(info(cell).get("solution"))


def is_test(cell):
    return bool(info(cell).get("grade"))


def points(cell):
    try:
        return float(info(cell).get("points", 0) or 0)
    except (TypeError, ValueError):
        return 0.0


def _strip(source, begin, end, replacement):
    out, inside, indent = [], False, ""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == begin:
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            if replacement is not None:
                out.extend(indent + r for r in replacement.splitlines())
            continue
        if stripped == end and inside:
            inside = False
            continue
        if not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{begin!r} without {end!r}")
    return "\n".join(out).rstrip("\n")


def strip_solution(source):
    return _strip(source, BEGIN_SOLUTION, END_SOLUTION, PLACEHOLDER)


def strip_hidden_tests(source):
    return _strip(source, BEGIN_HIDDEN, END_HIDDEN, None)


def solution_only(source):
    """The instructor solution without the markers (to grade the source itself)."""
    return re.sub(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", "", source, flags=re.M)
