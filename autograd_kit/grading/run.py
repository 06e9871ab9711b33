"""Run an assembled notebook in one fresh kernel, cell by cell, under limits the submission cannot lift
from inside the cell: a per-cell timeout (an interrupt, then a kill if the code ignores the interrupt),
a cap on kept output, and the kernel's own reply for each cell (so hiding a traceback hides nothing)."""
import os
import signal
import subprocess
import threading
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

OUTPUT_CAP = 20_000  # characters of stream output kept per cell
KILL_GRACE = 5  # seconds after the interrupt before a cell that ignores it has its kernel killed


class _GradingClient(NotebookClient):
    """nbclient, keeping at most OUTPUT_CAP characters of stream output per cell."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.kept, self.flooded = {}, set()

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "stream":
            kept = self.kept.get(cell_index, 0)
            if kept >= OUTPUT_CAP:
                self.flooded.add(cell_index)
                return None
            self.kept[cell_index] = kept + len(msg["content"].get("text", ""))
        elif msg["msg_type"] in ("display_data", "execute_result") and len(outs) > 50:
            self.flooded.add(cell_index)
            return None
        return super().output(outs, msg, display_id, cell_index)


def kernel_env(workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER_"))}
    env.update(HOME=str(workdir), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    return env


def _kill(client):
    try:
        pid = client.km.provisioner.process.pid
    except AttributeError:
        return
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            kill()
        except (OSError, ProcessLookupError):
            pass


def run_cells(sources, workdir, cell_timeout, deadline, skip=()):
    """Execute ``sources`` (code strings) in one fresh kernel.

    Returns ({index: (kind, message, text)}, index where the kernel died or None). kind is "ok",
    "error", "timeout" or "skipped"; message is "Name: value" for errors."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    replies, killed = {}, set()
    client = _GradingClient(nb, timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
                            kernel_name="python3", resources={"metadata": {"path": str(workdir)}},
                            shutdown_kernel="immediate",
                            on_cell_executed=lambda cell, cell_index, execute_reply:
                            replies.__setitem__(cell_index, execute_reply))
    outcomes = {}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}  # the kernel's own log lines
    with client.setup_kernel(env=kernel_env(workdir), **quiet):
        for i, cell in enumerate(nb.cells):
            if i in skip:
                outcomes[i] = ("skipped", "not run: it stopped the kernel in an earlier run", "")
                continue
            if time.monotonic() > deadline:
                outcomes[i] = ("timeout", "not run: the notebook ran out of time", "")
                continue
            watchdog = threading.Timer(cell_timeout + KILL_GRACE, lambda i=i: (killed.add(i), _kill(client)))
            watchdog.daemon = True
            watchdog.start()
            try:
                client.execute_cell(cell, i)
            except CellTimeoutError:
                outcomes[i] = ("timeout", f"stopped after {cell_timeout:g} s (an endless loop?)", "")
                continue
            except DeadKernelError:
                if i in killed:
                    outcomes[i] = ("timeout", f"stopped after {cell_timeout:g} s, and it ignored the interrupt", "")
                return outcomes, i
            finally:
                watchdog.cancel()
            outcomes[i] = _outcome(cell, replies.get(i), cell_timeout, i in client.flooded)
    return outcomes, None


def _outcome(cell, reply, cell_timeout, flooded):
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")[:OUTPUT_CAP]
    if flooded:
        text += "\n[output cut: too much output]"
    shown = [o for o in cell.outputs if o.output_type == "error"]
    cell.outputs = []
    content = dict((reply or {}).get("content", {}))
    status = content.get("status")
    if status == "ok":
        return ("ok", "", text)
    if status is None:  # no reply recorded: judge by the error output, and never count it as passed
        if not shown:
            return ("error", "Error: the kernel sent no reply for this cell", text)
        content = {"ename": shown[-1].ename, "evalue": shown[-1].evalue}
    ename, evalue = content.get("ename", "Error"), content.get("evalue", "")
    if status == "aborted":
        ename, evalue = "Aborted", "the kernel aborted this cell"
    if ename == "KeyboardInterrupt":  # nbclient interrupted it at the timeout
        return ("timeout", f"stopped after {cell_timeout:g} s (an endless loop?)", text)
    return ("error", f"{ename}: {evalue}".strip()[:500], text)
