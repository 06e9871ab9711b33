"""Real browser: JupyterLab on 127.0.0.1 + headless Debian Chromium (Playwright), the course notebooks.

Runs every course notebook that holds a stepper and steps through each stepper (highlight in view, the
engine's numbers in the panel, labels readable at 1100×700); opens every stored notebook with a graph
untrusted (as on a first open) and checks each graph shows as a PNG image; times a step on a 200-node
graph. Screenshots go to $AK_SHOTS/ak-browser-shots (default: the temp folder).
"""
import ast
import contextlib
import io
import os
import pathlib
import shutil
import socket
import tempfile
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
TOKEN = "aktoken"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402

# the course notebooks that hold a stepper, and those that hold any graph (make_dot/draw_dot too)
GRAPH_CALLS = ("make_dot(", "draw_dot(", "step_backward(", "step_forward(")
COURSE = {m.TITLE: m for m in build_notebooks.sources()}
STEPPER_CALLS = ("step_backward(", "step_forward(")
WITH_STEPPERS = [t for t, m in COURSE.items() if any(k in c[1] for c in m.CELLS if c[0] == "code" for k in STEPPER_CALLS)]
WITH_GRAPHS = [t for t, m in COURSE.items() if any(k in c[1] for c in m.CELLS if c[0] == "code" for k in GRAPH_CALLS)]
# a 200-node graph, to time a step in the browser (JS side: window.__akStepTimes)
BIG = ("import autograd_kit as torch\nfrom autograd_kit.viz import step_backward\n"
       "torch.manual_seed(0)\nxs = [torch.randn(3, requires_grad=True) for _ in range(5)]\nz = xs[0]\n"
       "for i in range(129):\n    z = (z * xs[i % 5]).tanh() if i % 2 else z + xs[(i * 3) % 5]\n"
       "big = step_backward(z.sum(), max_nodes=1000)\nbig")
VIEWPORT = {"width": 1100, "height": 700}
SHOTS = pathlib.Path(os.environ.get("AK_SHOTS", tempfile.gettempdir())) / "ak-browser-shots"


def steppers_of(title):
    """The notebook's code run here, in order: the steppers its cells display (the engine's frames)."""
    ns, found = {}, []
    from autograd_kit.viz.stepper import _Stepper
    for kind, src, *_ in COURSE[title].CELLS:
        if kind != "code":
            continue
        tree = ast.parse(src)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(io.StringIO()), contextlib.chdir(ROOT / "notebooks"):  # as a kernel runs it
            exec(compile(tree, title, "exec"), ns)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), title, "eval"), ns)
                if isinstance(value, _Stepper):
                    found.append(value)
    return found


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    assert os.path.exists(CHROMIUM), "CI installs Debian's chromium (tools/setup-system.sh)"
    root = tmp_path_factory.mktemp("labroot")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BIG)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "big.ipynb")
    for title in COURSE:  # stored copies: run ones, and untrusted ones opened as they are
        shutil.copy(ROOT / "notebooks" / f"{title}.ipynb", root / f"{title}.ipynb")
        shutil.copy(ROOT / "notebooks" / f"{title}.ipynb", root / f"stored_{title}.ipynb")
    shutil.copytree(ROOT / "notebooks" / "data", root / "data")  # what the notebooks read (06's digits)
    cfg = tmp_path_factory.mktemp("jcfg")
    settings = cfg / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"checkForUpdates": false, "fetchNews": "false"}')
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(cfg), JUPYTER_RUNTIME_DIR=str(tmp_path_factory.mktemp("jrt")),
               JUPYTER_DATA_DIR=str(tmp_path_factory.mktemp("jdata")),  # its own trust database: nothing trusted
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(root.parent / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("JupyterLab did not start: " + (root.parent / "lab.log").read_text()[-2000:])
            time.sleep(0.3)
    yield base, root
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@contextlib.contextmanager
def browser_page(viewport=VIEWPORT):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser.new_page(viewport=viewport)
        finally:
            browser.close()


def open_notebook(page, base, name):
    page.goto(f"{base}/lab/tree/{name}.ipynb?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60000)
    page.wait_for_function("""() => [...document.querySelectorAll('#jp-main-statusbar .jp-StatusBar-TextItem')]
        .some(e => / \\| Idle$/.test(e.textContent) && !e.textContent.startsWith('No Kernel'))""", timeout=60000)


def run_all(page):
    page.click('.lm-MenuBar-itemLabel:text-is("Run")')
    page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


STATE = """([root, focus]) => {
  const graph = root.querySelector('.ak-graph'), g = graph.getBoundingClientRect();
  const top = g.top + graph.clientTop, left = g.left + graph.clientLeft;
  const vis = {top, left, bottom: top + graph.clientHeight, right: left + graph.clientWidth};
  const current = [...root.querySelectorAll('.ak-graph g.node[data-ak="current"]')].filter(
      e => !focus || focus.includes(e.id)).map(e => {
    const r = e.getBoundingClientRect();
    return {id: e.id, inside: r.top >= vis.top - 1 && r.bottom <= vis.bottom + 1 && r.left >= vis.left - 1
                               && r.right <= vis.right + 1};
  });
  const panel = root.querySelector('.ak-panel');
  return {step: panel.dataset.step, text: panel.innerText, current};
}"""

LABELS = """root => {
  const svg = root.querySelector('.ak-graph svg');
  const px = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;  // CSS px per Graphviz point
  const bad = [], boxes = [];
  let smallest = Infinity;
  for (const g of root.querySelectorAll('.ak-graph g.node')) {
    if (getComputedStyle(g).visibility === 'hidden') continue;
    const shape = g.querySelector('polygon, ellipse');
    if (!shape) continue;
    const s = shape.getBoundingClientRect();
    boxes.push([g.id, s]);
    for (const t of g.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;  // an empty record field
      smallest = Math.min(smallest, parseFloat(t.getAttribute('font-size')) * px);
      const r = t.getBoundingClientRect();
      if (r.left < s.left - 1 || r.right > s.right + 1 || r.top < s.top - 1 || r.bottom > s.bottom + 1)
        bad.push(`label '${t.textContent}' of ${g.id} sticks out of its box`);
    }
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, r] = boxes[i], [b, q] = boxes[j];
    if (r.left < q.right - 1 && q.left < r.right - 1 && r.top < q.bottom - 1 && q.top < r.bottom - 1)
      bad.push(`${a} overlaps ${b}`);
  }
  return {bad, smallest};
}"""


def squash(text):
    return " ".join(text.split())


def _engine_contributions(stepper):
    """Per backward step, the elements (as the panel prints them) of every contribution of <= 16 elements,
    computed here by the engine's own walk."""
    from autograd_kit.viz.numbers import num
    from autograd_kit.viz.walk import quiet_steps
    out = []
    for st in quiet_steps(stepper._loss):
        out.append([num(v) for g in st.grad_inputs if g is not None and g.numel() <= 16
                    for v in g._data.astype("float64").ravel()])
    return out


@pytest.mark.parametrize("title", WITH_STEPPERS)
def test_course_steppers_step_by_step(lab, title):
    """Each stepper of the course notebook, run in JupyterLab at 1100×700: at every step the highlighted
    nodes lie inside the visible graph area, the panel's text is the engine's frame (and holds every
    element of every small contribution), and no label overlaps or sticks out of its box (>= 11 px)."""
    from playwright.sync_api import expect
    base, root = lab
    expected = steppers_of(title)
    assert expected, f"{title} has no stepper"
    with browser_page() as page:
        try:
            open_notebook(page, base, title)
            run_all(page)
            steppers = page.locator(".ak-stepper")
            expect(steppers).to_have_count(len(expected), timeout=90000)
            for k, want in enumerate(expected):
                root_el = steppers.nth(k)
                root_el.scroll_into_view_if_needed()
                handle = root_el.element_handle()
                nxt = root_el.locator(".ak-btn", has_text="Next")
                state = page.evaluate(STATE, [handle, None])
                assert state["step"] == "0" and all(c["inside"] for c in state["current"]), state
                if want.mode == "backward":  # the output, where backward starts, is in view at step 0
                    assert [c["id"] for c in state["current"]] == want.start
                numbers = _engine_contributions(want) if want.mode == "backward" else [[]] * want.n_steps
                for i, frame in enumerate(want.frames, start=1):
                    nxt.click()
                    expect(root_el.locator(".ak-panel")).to_have_attribute("data-step", str(i))
                    state = page.evaluate(STATE, [handle, None])
                    assert sorted(c["id"] for c in state["current"]) == sorted(frame["current"]), (i, state)
                    assert all(c["inside"] for c in state["current"]), (k, i, state["current"])
                    assert squash(state["text"]) == squash(frame["text"]), (k, i)
                    for e in numbers[i - 1]:
                        assert e in state["text"], (k, i, e)
                    if i in (1, want.n_steps // 2):
                        shot(page, f"{title}-stepper{k}-step{i}")
                labels = page.evaluate(LABELS, handle)
                assert labels["bad"] == [] and labels["smallest"] >= 11, labels
        except Exception:
            shot(page, f"{title}-failure")
            raise


@pytest.mark.parametrize("title", WITH_GRAPHS)
def test_stored_notebook_untrusted_shows_every_graph_as_an_image(lab, title):
    """Opened as stored, not run and not trusted (as on a first open, on Binder): JupyterLab shows no SVG
    and no widget, so each graph cell must show its PNG copy, and a stepper its readable step list."""
    base, root = lab
    code = [c for c in COURSE[title].CELLS if c[0] == "code"]
    graph_cells = [i for i, c in enumerate(code) if any(k in c[1] for k in GRAPH_CALLS)]
    steppers = [i for i in graph_cells if any(k in code[i][1] for k in STEPPER_CALLS)]  # not an import line
    with browser_page() as page:
        try:
            open_notebook(page, base, f"stored_{title}")
            cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
            for i in graph_cells:
                cell = cells.nth(i)
                cell.scroll_into_view_if_needed()
                img = cell.locator(".jp-RenderedImage img")
                assert img.count() >= 1, f"cell {i} of {title} shows no image"
                assert img.first.get_attribute("src").startswith("data:image/png;base64,")
                box = img.first.bounding_box()
                assert box["width"] > 50 and box["height"] > 50
                assert cell.locator(".jp-RenderedSVG").count() == 0  # untrusted: no SVG rendered
                if i in steppers:
                    assert "step 1 /" in cell.locator(".jp-RenderedHTMLCommon").first.inner_text()
                    assert "%3" not in cell.inner_text()  # no SVG text left over by the sanitizer
            shot(page, f"{title}-untrusted")
        except Exception:
            shot(page, f"{title}-untrusted-failure")
            raise


def test_step_time_on_a_200_node_graph(lab):
    """A 199-node graph wider than the output: each step keeps the current node in view, labels stay
    >= 11 px and apart, and the JS side of a step takes < 30 ms (median; printed)."""
    from playwright.sync_api import expect
    base, root = lab
    ns = {}
    exec(BIG.rsplit("\n", 1)[0], ns)
    n = ns["big"].n_steps
    assert 180 <= n <= 230
    with browser_page() as page:
        open_notebook(page, base, "big")
        run_all(page)
        panel = page.locator(".ak-panel")
        expect(panel).to_contain_text(f"step 0 / {n}", timeout=90000)
        handle = page.locator(".ak-stepper").element_handle()
        page.evaluate("window.__akStepTimes = []")
        nxt = page.locator(".ak-btn", has_text="Next")
        for i in range(1, n + 1):
            nxt.click()
            expect(panel).to_have_attribute("data-step", str(i))
            focus = ns["big"].frames[i - 1]["focus"]  # a wide graph: the current node is scrolled into view
            state = page.evaluate(STATE, [handle, focus])  # (not every per-use copy of a shared leaf)
            assert len(state["current"]) == len(focus) and all(c["inside"] for c in state["current"]), (i, state)
            if i == n // 2:
                shot(page, "big-graph-middle")
        labels = page.evaluate(LABELS, handle)  # fitted to the width, never below 11 px
        assert labels["bad"] == [] and labels["smallest"] >= 11, labels
        times = sorted(page.evaluate("window.__akStepTimes"))
        median = times[len(times) // 2]
        print(f"browser, {n}-node graph: JS step update median {median:.1f} ms, max {times[-1]:.1f} ms "
              "(target < 30 ms)")
        assert len(times) == n and median < 30


def test_stepper_in_notebook7(lab, tmp_path):
    """The same widget in Notebook 7 (served by the same Jupyter server: /notebooks/...)."""
    from playwright.sync_api import expect
    base, root = lab
    with browser_page(viewport={"width": 1400, "height": 1000}) as page:
        try:
            page.goto(f"{base}/notebooks/big.ipynb?token={TOKEN}")
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60000)
            page.wait_for_function("() => document.title.includes('big')", timeout=60000)
            page.wait_for_timeout(2000)
            page.click('.lm-MenuBar-itemLabel:text-is("Run")')
            page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')
            panel = page.locator(".ak-panel").first
            expect(panel).to_contain_text("step 0 /", timeout=90000)
            nxt = page.locator(".ak-btn", has_text="Next").first
            nxt.click()
            expect(panel).to_contain_text("step 1 /")
            assert page.locator(".ak-graph g.node[data-ak='current']").count() >= 1
        except Exception:
            shot(page, "notebook7-failure")
            raise
