"""The adversarial suite: cheats, attacks, crashes and honest-but-odd notebooks, graded in ONE sandboxed batch
(2 workers) against our own six-question exercise (conftest.py; 1 point each, public + hidden part per
test). Every case asserts an exact score. A cheat aims at one question with a wrong answer: 5/6 means the
cheat gained nothing and broke nothing else."""
import csv
import hashlib
import json
import os
import pathlib
import signal
import subprocess
import time

import nbformat
import pytest

import autograd_kit
from autograd_kit.grading import sandbox
from autograd_kit.grading.batch import grade_class

from grading_fixtures import HIDDEN_LINES, QUESTIONS, _cell, sandbox_ok, student_notebook, write_nb

LIAR = ("class Liar(float):\n    def __eq__(s, o): return True\n    def __ne__(s, o): return False\n"
        "    def __float__(s): return 26.0\n    def __sub__(s, o): return 0.0\n    def __rsub__(s, o): return 0.0\n"
        "    def __abs__(s): return 0.0\n    def __lt__(s, o): return True\n    def __repr__(s): return '26.0'\n")
CHECKS_FILE = pathlib.Path(autograd_kit.__file__).parent / "grading" / "checks.py"

# name: (answers, extra cells [(index, code)], exact total score)
CASES = {
    # ---- the reference points
    "solution": ({}, [], 6),
    # ---- values that lie
    "liar-eq": ({"q1": "class L(float):\n    def __eq__(s, o): return True\nanswer = L(20.0)"}, [], 5),
    "liar-all": ({"q1": LIAR + "answer = Liar(20.0)"}, [], 5),
    "liar-sub": ({"q1": "class L(float):\n    def __sub__(s, o): return 0.0\nanswer = L(20.0)"}, [], 5),
    "liar-abs-lt": ({"q1": "class L(float):\n    def __abs__(s): return 0.0\n    def __lt__(s, o): return True\n"
                           "    def __sub__(s, o): return L(0.0)\nanswer = L(20.0)"}, [], 5),
    "liar-int": ({"q1": "class L(int):\n    def __eq__(s, o): return True\n    def __sub__(s, o): return 0\n"
                        "    def __int__(s): return 26\nanswer = L(20)"}, [], 5),
    "liar-npfloat": ({"q1": "class L(np.float64):\n    def __sub__(s, o): return 0.0\n    def __eq__(s, o): return True\n"
                            "answer = L(20.0)"}, [], 5),
    "liar-tensor-item": ({"q2": "x = torch.tensor(4.0, requires_grad=True)\nclass T(torch.Tensor):\n"
                                "    __slots__ = ()\n    def item(self): return 26.0\ng = torch.tensor(20.0)\ng.__class__ = T"}, [], 5),
    "liar-is-leaf": ({"q2": "x0 = torch.tensor(4.0, requires_grad=True)\nx = x0 * 1\nclass L(torch.Tensor):\n"
                            "    __slots__ = ()\n    @property\n    def is_leaf(self): return True\nx.__class__ = L\n"
                            "(3 * x0**2 + 2 * x0).backward()\ng = x0.grad"}, [], 5),
    "liar-ndarray": ({"q5": "class A(np.ndarray):\n    def __eq__(s, o): return np.ones(3, bool)\n"
                            "    def tolist(s): return [1.0, 2.0, 3.0]\n    def __array__(s, *a, **k): return np.array([1.0, 2.0, 3.0])\n"
                            "arr = np.array([9.0, 9.0, 9.0]).view(A)"}, [], 5),
    "liar-tensor-tolist": ({"q3": "torch.Tensor.tolist = lambda self: [7.0, -3.0]\ndef h(x):\n    return (x**2).sum()"}, [], 5),
    # ---- patching shared modules the tests use
    "patch-allclose": ({"q5": "np.allclose = lambda *a, **k: True\nnp.ndarray.tolist = lambda s: [1.0, 2.0, 3.0]\n"
                              "arr = np.array([9.0, 9.0, 9.0])"}, [], 5),
    "patch-builtins-abs": ({"q1": "import builtins\nbuiltins.abs = lambda v: 0\nanswer = 20.0"}, [], 5),
    "patch-builtins-isinstance": ({"q1": "import builtins\nbuiltins.isinstance = lambda *a: True\n"
                                         "builtins.type = lambda *a: float\nanswer = 20.0"}, [], 5),
    "patch-tensor-backward": ({"q3": "torch.Tensor.backward = lambda self, *a, **k: None\ndef h(x):\n    return (x**3).sum()"},
                              [], 5),
    "patch-torch-tensor": ({"q2": "x = torch.tensor(4.0, requires_grad=True)\ng = torch.tensor(20.0)\n"
                                  "_t = torch.tensor\ntorch.tensor = lambda *a, **k: _t(26.0)"}, [], 5),
    "patch-math-cos": ({"q6": "math.cos = lambda v: 0.5\nmath.exp = lambda v: 0.5\n"
                              "def numeric_grad(f, x, eps=1e-5):\n    return 0.5"}, [], 5),
    "patch-math-sin-honest": ({"q6": "def numeric_grad(f, x, eps=1e-5):\n    return (f(x + eps) - f(x - eps)) / (2 * eps)\n"
                                     "math.sin = lambda v: 0.0"}, [], 6),
    # ---- shadowing builtins in the notebook's globals
    "shadow-abs": ({"q1": "abs = lambda v: 0\nanswer = 20.0"}, [], 5),
    "shadow-len-list": ({"q4": "model = nn.Linear(2, 1)\nlen = lambda v: 4\nlist = lambda v: [1, 2, 3, 4]"}, [], 5),
    "shadow-type-float": ({"q5": "type = lambda v: np.ndarray\nfloat = lambda v: 1.0\narr = [9.0, 9.0, 9.0]"}, [], 5),
    # ---- making the kernel report success
    "fake-post-run-cell": ({"q1": "answer = 1 / 0"},
                           [(1, "get_ipython().events.register('post_run_cell', lambda r: setattr(r, 'error_in_exec', None))")], 5),
    "fake-run-cell": ({}, [(11, "class _R:\n    error_before_exec = None\n    error_in_exec = None\n    success = True\n"
                                "get_ipython().run_cell = lambda *a, **k: _R()")], 5),
    "fake-transformer": ({}, [(11, "get_ipython().input_transformers_post.append("
                                   "lambda lines: ['numeric_grad = lambda f, x, eps=0: 1.0\\n'])")], 5),
    "fake-showtraceback": ({"q1": "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\nanswer = 1 / 0"}, [], 5),
    "fake-excepthook": ({"q1": "import sys\nsys.excepthook = lambda *a: None\nanswer = undefined_name"}, [], 5),
    # ---- defeating the module purge
    "purge-sys-modules": ({"q5": "import sys, types\n_f = types.ModuleType('numpy')\n_f.allclose = lambda *a, **k: True\n"
                                 "arr = np.array([9.0, 9.0, 9.0])\nsys.modules['numpy'] = _f"}, [], 5),
    "purge-meta-path": ({"q1": "import sys\nclass F:\n    def find_spec(self, *a, **k): return None\n"
                               "sys.meta_path.insert(0, F())\nsys.modules.pop('autograd_kit.grading.checks', None)\nanswer = 20.0"},
                        [], 5),
    "purge-import": ({"q1": "import builtins\n_imp = builtins.__import__\n"
                            "builtins.__import__ = lambda n, *a, **k: _imp(n, *a, **k)\nanswer = 20.0"}, [], 5),
    "purge-package-path": ({"q1": "import autograd_kit\nautograd_kit.__path__ = ['/tmp']\nanswer = 20.0"}, [], 5),
    # ---- rewriting the kit's installed files
    "rewrite-kit": ({"q1": "import pathlib, autograd_kit\n_p = pathlib.Path(autograd_kit.__file__).parent / 'grading' / 'checks.py'\n"
                           "try:\n    _p.write_text('def expect_answer(*a, **k): pass')\nexcept OSError:\n    pass\nanswer = 20.0"}, [], 5),
    "rewrite-numpy": ({"q5": "import pathlib\n_p = pathlib.Path(np.__file__)\ntry:\n    _p.write_text('')\nexcept OSError:\n"
                             "    pass\narr = np.array([9.0, 9.0, 9.0])"}, [], 5),
    # ---- daemons and process tricks
    "daemon": ({}, [(1, "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                        "        time.sleep(60)\n        os._exit(0)\n    os._exit(0)")], 6),
    "fork-bomb": ({"q1": "import os, time\n_pids = []\ntry:\n    while True:\n        _p = os.fork()\n        if _p == 0:\n"
                         "            time.sleep(60)\n            os._exit(0)\n        _pids.append(_p)\nexcept OSError:\n    pass\n"
                         "answer = 20.0 if len(_pids) < 500 else 26.0"}, [], 5),
    "kill-self": ({"q1": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"}, [], 5),
    "kill-everything": ({"q1": "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass"}, [], 5),
    "kill-parent": ({"q1": "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept OSError:\n    pass\n"
                           "answer = 26.0"}, [], 6),
    "sys-exit": ({"q1": "import sys\nsys.exit(0)"}, [], 5),
    # ---- crashes and limits
    "endless-loop": ({"q1": "while True:\n    pass"}, [], 5),
    "endless-loop-in-test": ({"q3": "def h(x):\n    while True:\n        pass"}, [], 5),
    "huge-memory": ({"q1": "_b = bytearray(8 << 30)\nanswer = 26.0"}, [], 5),
    "output-flood": ({}, [(1, "for _ in range(20000):\n    print('spam ' * 100)")], 6),
    "disk-fill": ({"q1": "try:\n    open('/tmp/fill', 'wb').write(b'x' * (200 << 20))\nexcept OSError:\n    pass\nanswer = 26.0"}, [], 6),
    # ---- leaks through exception messages
    "leak-error-args": ({"q3": "def h(x):\n    raise ValueError(f'the test passed {x.tolist()}')"}, [], 5),
    "leak-wrong-type": ({"q2": "x = 5\ng = torch.tensor(26.0)"}, [], 5),
    # ---- attacks on the wire
    "socket-garbage": ({"q6": "import os\nfor _fd in os.listdir('/proc/self/fd'):\n    try:\n"
                              "        if 'socket' in os.readlink(f'/proc/self/fd/{_fd}'):\n"
                              "            os.write(int(_fd), b'\\x00' * 7 + b'\\x05junk!')\n    except OSError:\n        pass\n"
                              "def numeric_grad(f, x, eps=1e-5):\n    return 1.0"}, [], 5),
    "data-flood": ({"q1": "answer = [0.0] * 20_000_000"}, [], 5),
    # ---- honest but odd
    "honest-numpy-scalar": ({"q1": "answer = np.float64(26.0)", "q5": "arr = np.array([1, 2, 3], dtype=np.float32)"}, [], 6),
    "honest-int": ({"q1": "answer = 26"}, [], 6),
    "honest-helper-last": ({"q3": "def h(x):\n    return (sq(x) + x).sum()"}, [(-1, "def sq(v):\n    return v**2")], 6),
    "honest-helper-after-setup": ({"q3": "def h(x):\n    return helper(x)"}, [(1, "def helper(v):\n    return (v**2 + v).sum()")], 6),
    "honest-magics": ({"q1": "%time answer = 26.0", "q5": "%%capture\narr = np.array([1.0, 2.0, 3.0])\nprint('hi')"}, [], 6),
    "honest-await": ({"q1": "import asyncio\nawait asyncio.sleep(0)\nanswer = 26.0"}, [], 6),
    "honest-extra-cells": ({}, [(3, "print('my notes')"), (5, "%matplotlib inline")], 6),
    "blank": (None, [], 0),
}


def _build(folder, out, source_dir):
    subs = {}
    for name, (answers, extra, _) in CASES.items():
        nb = student_notebook(blank=True) if answers is None else student_notebook(answers, extra)
        subs[name] = write_nb(folder / name / "adv.ipynb", nb)
    # files and folders that attack the batch itself
    nb = student_notebook()
    nb.cells.insert(1, _cell("answer = 20.0", "q1", solution=True))  # a first (wrong) copy; the right one runs last
    subs["honest-duplicate"] = write_nb(folder / "honest-duplicate" / "adv.ipynb", nb)
    raw = json.loads(nbformat.writes(student_notebook()))
    del raw["cells"][2]["source"]  # a test cell without source
    raw["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None})
    raw["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * (50 << 20)}]
    subs["honest-no-source-big-output"] = write_nb(folder / "honest-no-source-big-output" / "adv.ipynb", json.dumps(raw))
    text = nbformat.writes(student_notebook()).replace("\n", "\r\n")
    subs["honest-bom-crlf"] = write_nb(folder / "honest-bom-crlf" / "adv.ipynb", b"\xef\xbb\xbf" + text.encode())
    nb = student_notebook()
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("Réponse de l'élève"))
    subs["honest-latin1"] = write_nb(folder / "honest-latin1" / "adv.ipynb", nbformat.writes(nb).encode("latin-1"))
    raw = json.loads(nbformat.writes(student_notebook()))
    raw["nbformat_minor"] = 0
    for c in raw["cells"]:
        c.pop("id", None)
    subs["honest-nbformat40"] = write_nb(folder / "honest-nbformat40" / "adv.ipynb", json.dumps(raw))
    raw = json.loads(nbformat.writes(student_notebook()))
    raw["metadata"] = ["not", "a", "dict"]
    raw["cells"][1]["metadata"]["nbgrader"]["points"] = "lots"
    subs["odd-metadata-types"] = write_nb(folder / "odd-metadata-types" / "adv.ipynb", json.dumps(raw))
    nb = student_notebook()
    nb.metadata["autograd_kit"] = {"exercise": "02_gradients"}
    subs["metadata-vs-path"] = write_nb(folder / "metadata-vs-path" / "adv.ipynb", nb)
    subs["deep-json"] = write_nb(folder / "deep-json" / "adv.ipynb", "[" * 100_000 + "]" * 100_000)
    subs["empty-notebook"] = write_nb(folder / "empty-notebook" / "adv.ipynb", json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    # attacks on classmates, results, gradebook, sources
    victim = folder / "solution" / "adv.ipynb"
    subs["attack-files"] = write_nb(folder / "attack-files" / "adv.ipynb", student_notebook({"q1": (
        f"for _p in [{str(victim)!r}, {str(out / 'results' / 'solution__adv.json')!r}, {str(out / 'gradebook.csv')!r},"
        f" {str(source_dir / 'adv.ipynb')!r}]:\n    try:\n        open(_p, 'w').write('{{}}')\n    except OSError:\n"
        "        pass\nanswer = 26.0")}))
    subs["steal-source"] = write_nb(folder / "steal-source" / "adv.ipynb", student_notebook({"q1": (
        f"try:\n    answer = 26.0 if 'HIDDEN' in open({str(source_dir / 'adv.ipynb')!r}).read() else 20.0\n"
        "except OSError:\n    answer = 20.0")}))
    (folder / "takeover").mkdir()  # a file named after a classmate: still the takeover student's own row
    subs["takeover"] = write_nb(folder / "takeover" / "solution.ipynb", student_notebook(blank=True))
    subs["second-copy"] = write_nb(folder / "solution" / "adv (copy).ipynb", student_notebook(blank=True))
    (folder / "symlinked").mkdir()
    (folder / "symlinked" / "adv.ipynb").symlink_to(source_dir / "adv.ipynb")
    subs["symlinked"] = folder / "symlinked" / "adv.ipynb"
    (folder / "dangling").mkdir()
    (folder / "dangling" / "adv.ipynb").symlink_to(folder / "nowhere.ipynb")
    (folder / "rootlink").symlink_to("/")
    (folder / "folder-notebook" / "adv.ipynb").mkdir(parents=True)
    write_nb(folder / "solution" / ".ipynb_checkpoints" / "adv-checkpoint.ipynb", student_notebook())
    subs["dots"] = write_nb(folder / "...ipynb", student_notebook())
    return subs


@pytest.fixture(scope="module")
def batch(tmp_path_factory, adv_source):
    assert sandbox_ok(), "the sandbox is not available: run tools/setup-system.sh (as root)"
    source_bytes = (adv_source / "adv.ipynb").read_bytes()
    folder = tmp_path_factory.mktemp("class")
    out = tmp_path_factory.mktemp("graded")
    subs = _build(folder, out, adv_source)
    hashes = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in subs.items() if not p.is_symlink()}
    checks_before = CHECKS_FILE.read_bytes()
    t0 = time.monotonic()
    results = grade_class([folder], adv_source, out, workers=2, cell_timeout=4, notebook_timeout=60, progress=False)
    elapsed = time.monotonic() - t0
    time.sleep(0.5)
    leftovers = subprocess.run(["ps", "-e", "-o", "uid=,pid=,args="], capture_output=True, text=True).stdout
    leftovers = [line for line in leftovers.splitlines()  # zombies (<defunct>) run nothing; init reaps them
                 if sandbox.UID_BASE <= int(line.split()[0]) < sandbox.UID_BASE + 8 and "<defunct>" not in line]
    rows = {r["student"]: r for r in results}
    return {"subs": subs, "hashes": hashes, "out": out, "rows": rows, "results": results, "elapsed": elapsed,
            "source": (adv_source / "adv.ipynb", source_bytes), "checks": checks_before, "leftovers": leftovers}


def row(batch, name):
    return batch["rows"][name]


def by_test(batch, name):
    return {t["name"]: t for t in row(batch, name)["tests"]}


def notes(batch, name):
    return " | ".join(row(batch, name)["notes"])


@pytest.mark.parametrize("name", list(CASES))
def test_case_scores_exactly(batch, name):
    r = row(batch, name)
    assert (r["score"], r["max_score"]) == (CASES[name][2], 6), (r["tests"], r["notes"])


@pytest.mark.parametrize("name,score,words", [
    ("honest-duplicate", 6, "appears 2 times"),
    ("honest-no-source-big-output", 6, "has no source"),
    ("honest-bom-crlf", 6, "byte-order mark"),
    ("honest-bom-crlf", 6, "CRLF"),
    ("honest-latin1", 6, "Latin-1"),
    ("honest-nbformat40", 6, "format 4.0"),
    ("odd-metadata-types", 6, "metadata is not a dictionary"),
    ("metadata-vs-path", 6, "graded as 'adv'"),
    ("deep-json", 0, "nested too deeply"),
    ("empty-notebook", 0, "no cells"),
    ("attack-files", 6, ""),
    ("steal-source", 5, ""),
    ("symlinked", 0, "symbolic link"),
    ("dangling", 0, "symbolic link"),
    ("folder-notebook", 0, "not a regular file"),
    ("unknown", 6, ""),  # the file named "...ipynb": a safe identity, inside the output folder
])
def test_odd_files_score_exactly_with_a_note(batch, name, score, words):
    r = row(batch, name)
    assert r["score"] == score and r["max_score"] == 6, (r["tests"], r["notes"])
    assert words in notes(batch, name)


def test_one_row_per_student_and_exercise(batch):
    students = [r["student"] for r in batch["results"]]
    assert len(students) == len(set(students))
    assert row(batch, "solution")["score"] == 6  # "takeover/solution.ipynb" did not take solution's row
    assert row(batch, "takeover")["score"] == 0
    assert "another file also claimed this row" in notes(batch, "solution")  # "solution/adv (copy).ipynb"
    assert not any("checkpoint" in s or s == "rootlink" for s in students)
    rows = list(csv.DictReader((batch["out"] / "gradebook.csv").open()))
    assert len(rows) == len(batch["results"])


def test_submissions_sources_and_kit_files_are_byte_identical(batch):
    for key, path in batch["subs"].items():
        if key in batch["hashes"]:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == batch["hashes"][key], key
    path, data = batch["source"]
    assert path.read_bytes() == data
    assert CHECKS_FILE.read_bytes() == batch["checks"]


def test_only_the_grader_wrote_the_output_folder(batch):
    out = batch["out"]
    assert json.loads((out / "results" / "solution__adv.json").read_text())["score"] == 6
    for p in out.rglob("*"):
        assert p.resolve().is_relative_to(out.resolve())
        assert not p.is_symlink()


def test_no_sandbox_process_outlives_the_batch(batch):
    assert batch["leftovers"] == []


def test_no_hidden_test_text_reaches_any_output(batch):
    texts = [p.read_text(errors="replace") for p in batch["out"].rglob("*") if p.is_file()]
    assert len(texts) > 40
    for text in texts:
        for line in HIDDEN_LINES:
            assert line not in text
        assert "the test passed [3.0, -2.0]" not in text and "is_leaf" not in text


def test_feedback_is_the_instructors_message_or_generic(batch):
    assert by_test(batch, "liar-all")["q1_tests"]["output"] == "a hidden test failed: answer should be f'(4)"
    assert by_test(batch, "leak-error-args")["q3_tests"]["output"] == "a hidden test failed: your code raised ValueError"
    assert by_test(batch, "leak-wrong-type")["q2_tests"]["output"] == "a hidden test failed"
    assert by_test(batch, "blank")["q1_tests"]["output"] == "not answered yet"
    assert by_test(batch, "shadow-len-list")["q4_tests"]["output"] == "a hidden test failed"


def test_student_errors_and_limits_are_explained(batch):
    assert "ZeroDivisionError" in by_test(batch, "fake-showtraceback")["q1_tests"]["output"]
    assert "stopped after 4 s" in notes(batch, "endless-loop")
    assert "MemoryError" in by_test(batch, "huge-memory")["q1_tests"]["output"]
    assert "did not finish" in by_test(batch, "endless-loop-in-test")["q3_tests"]["output"]
    assert "died" in notes(batch, "kill-self")


def test_rerun_keeps_every_grade_from_the_cache(batch, adv_source):
    out = batch["out"]
    stamp = (out / "results" / "solution__adv.json").stat().st_mtime_ns
    t0 = time.monotonic()
    again = grade_class([batch["subs"]["solution"]], adv_source, out, workers=1, progress=False)
    assert time.monotonic() - t0 < 5 and again[0]["score"] == 6
    assert (out / "results" / "solution__adv.json").stat().st_mtime_ns == stamp


def test_a_file_in_the_way_of_the_output_folders_does_not_stop_the_batch(tmp_path, adv_source):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results").write_text("not a folder")
    sub = write_nb(tmp_path / "class" / "alice" / "adv.ipynb", student_notebook())
    results = grade_class([sub], adv_source, out, workers=1, progress=False)
    assert results[0]["score"] == 6 and (out / "gradebook.csv").exists()
    assert [p.name for p in out.glob("results.not-a-folder-*")]


def test_unsafe_mode_grades_the_same_without_the_sandbox(tmp_path, adv_source):
    subs = [write_nb(tmp_path / "class" / name / "adv.ipynb", student_notebook(CASES[name][0], CASES[name][1]))
            for name in ("solution", "liar-all", "shadow-abs", "honest-await", "huge-memory")]
    results = {r["student"]: r["score"] for r in grade_class([tmp_path / "class"], adv_source, tmp_path / "out",
                                                              workers=2, progress=False, sandboxed=False)}
    assert results == {"solution": 6, "liar-all": 5, "shadow-abs": 5, "honest-await": 6, "huge-memory": 5}
    assert len(subs) == 5


def test_dead_and_hung_workers_score_zero_and_the_batch_goes_on(tmp_path, adv_source, monkeypatch):
    from autograd_kit.grading import batch as batch_mod
    real = batch_mod.grade_one

    def worker(path, *a, **k):  # runs in the forked worker
        if "dies" in str(path):
            os._exit(3)
        if "hangs" in str(path):
            os.kill(os.getpid(), signal.SIGSTOP)
        return real(path, *a, **k)

    monkeypatch.setattr(batch_mod, "grade_one", worker)
    monkeypatch.setattr(batch_mod, "EXTRA_SECONDS", 3)
    for name in ("dies", "hangs", "fine"):
        write_nb(tmp_path / "class" / name / "adv.ipynb", student_notebook())
    results = {r["student"]: r for r in grade_class([tmp_path / "class"], adv_source, tmp_path / "out", workers=2,
                                                     cell_timeout=2, notebook_timeout=5, progress=False)}
    assert results["fine"]["score"] == 6
    assert results["dies"]["score"] == 0 and "the grading worker died" in results["dies"]["notes"][0]
    assert results["hangs"]["score"] == 0 and "longer than 8 s" in results["hangs"]["notes"][0]
    rows = list(csv.DictReader((tmp_path / "out" / "gradebook.csv").open()))
    assert sorted(r["student"] for r in rows) == ["dies", "fine", "hangs"]
