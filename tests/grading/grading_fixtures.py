"""A small exercise of our own (stable, independent of the course exercises) and notebook builders for the
grading tests. Six questions of one point each; every test cell has a public part and a hidden part."""
import pathlib

import nbformat
from autograd_kit.grading import sandbox

SETUP = "import math\nimport numpy as np\nimport autograd_kit as torch\nfrom autograd_kit import nn, optim"
ANSWERS = {
    "q1": "answer = 26.0",
    "q2": "x = torch.tensor(4.0, requires_grad=True)\ny = 3 * x**2 + 2 * x\ny.backward()\ng = x.grad",
    "q3": "def h(x):\n    return (x**2 + x).sum()",
    "q4": "model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))",
    "q5": "arr = np.array([1.0, 2.0, 3.0])",
    "q6": "def numeric_grad(f, x, eps=1e-5):\n    return (f(x + eps) - f(x - eps)) / (2 * eps)",
}
TESTS = {
    "q1": ("assert answer is not None, 'set answer'",
           "assert abs(answer - 26) < 1e-9, \"answer should be f'(4)\""),
    "q2": ("assert g is not None, 'call backward() first'",
           "assert x.is_leaf and abs(g.item() - 26.0) < 1e-5"),
    "q3": ("assert callable(h)",
           "_x = torch.tensor([3.0, -2.0], requires_grad=True); h(_x).backward(); assert _x.grad.tolist() == [7.0, -3.0]"),
    "q4": ("assert model is not None",
           "out = model(torch.ones(4, 2)); assert out.shape == (4, 1); assert len(list(model.parameters())) == 4"),
    "q5": ("assert len(arr) == 3, 'arr needs three numbers'",
           "assert type(arr) is np.ndarray and np.allclose(arr, [1.0, 2.0, 3.0]) and arr.tolist() == [1.0, 2.0, 3.0]"),
    "q6": ("assert numeric_grad is not None",
           "assert abs(numeric_grad(math.sin, 1.0) - math.cos(1.0)) < 1e-6\nassert abs(numeric_grad(math.exp, 0.0) - 1.0) < 1e-6"),
}
QUESTIONS = list(ANSWERS)
HIDDEN_LINES = [line for _, hidden in TESTS.values() for line in hidden.splitlines()]


def _cell(code, gid, **nbg):
    c = nbformat.v4.new_code_cell(code)
    c.metadata["nbgrader"] = {"grade_id": gid, "schema_version": 3, "locked": False, "solution": False,
                              "grade": False, "points": 0, **nbg}
    return c


def source_notebook():
    cells = [_cell(SETUP, "setup", locked=True)]
    for q in QUESTIONS:
        cells.append(_cell(f"### BEGIN SOLUTION\n{ANSWERS[q]}\n### END SOLUTION", q, solution=True))
        public, hidden = TESTS[q]
        cells.append(_cell(f"{public}\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS", f"{q}_tests",
                           grade=True, locked=True, points=1))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def student_notebook(answers=None, extra=(), blank=False):
    """A submission: the source's structure, public tests only, ``answers`` replacing the solutions,
    ``extra`` = [(index, code)] of the student's own cells inserted (index into the cell list)."""
    answers = dict(ANSWERS, **(answers or {}))
    cells = [_cell(SETUP, "setup", locked=True)]
    for q in QUESTIONS:
        code = "# YOUR CODE HERE\nraise NotImplementedError()" if blank else answers[q]
        cells.append(_cell(code, q, solution=True))
        cells.append(_cell(TESTS[q][0], f"{q}_tests", grade=True, locked=True, points=1))
    for index, code in sorted(extra, key=lambda e: -e[0] if e[0] >= 0 else -10**6):
        cells.insert(index if index >= 0 else len(cells), nbformat.v4.new_code_cell(code))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["autograd_kit"] = {"exercise": "adv"}
    return nb


def write_nb(path, nb):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, (bytes, str)):
        path.write_bytes(nb if isinstance(nb, bytes) else nb.encode())
    else:
        nbformat.write(nb, path)
    return path


def sandbox_ok():
    try:
        sandbox.check_available()
        return True
    except sandbox.Unavailable:
        return False
