"""Start the agent (``agent.py``) with a student's notebook in a sandbox it cannot leave.

The shape (tested on this project's machines, see docs/grading-design.md): as root, ``setpriv`` to an
unprivileged uid of its own (one per worker slot, so two submissions never share a uid, a process
count or a file), then rootless ``bwrap --unshare-all --unshare-user --disable-userns
--die-with-parent --new-session``: new user, PID, mount, network, IPC, UTS and cgroup namespaces, no
network at all, a read-only view of ``/usr``, ``/etc``, the sandbox interpreter and this package's own
files, a size-capped private ``/tmp`` and ``/dev/shm``, an empty environment, and ``prlimit`` limits on
memory, CPU seconds, processes, file size and open files. Nothing of the host's other files is visible
(sources, submissions, results, the project checkout). The only channel out is a socket pair the
grader created; every process in the sandbox dies with it (PID namespace, ``--die-with-parent``).

The interpreter inside is a venv of Debian's ``/usr/bin/python3.11`` with NumPy and IPython, built in a
world-readable folder (``AUTOGRAD_KIT_SANDBOX_VENV``, default ``/var/cache/autograd_kit/sandbox-py311`` for
root, ``~/.cache/autograd_kit/sandbox-py311`` otherwise) by ``autograd-kit sandbox-setup`` (``make test``
runs it) or on first use.
"""
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time

from . import wire

VENV = pathlib.Path(os.environ.get("AUTOGRAD_KIT_SANDBOX_VENV") or (
    "/var/cache/autograd_kit/sandbox-py311" if os.geteuid() == 0 else
    os.path.expanduser("~/.cache/autograd_kit/sandbox-py311")))
BASE_PYTHON = os.environ.get("AUTOGRAD_KIT_SANDBOX_BASE_PYTHON", "/usr/bin/python3.11")
UID_BASE = int(os.environ.get("AUTOGRAD_KIT_SANDBOX_UID_BASE", "64000"))  # slot n runs as uid UID_BASE + n
PACKAGE = pathlib.Path(__file__).resolve().parents[1]  # the autograd_kit package the student's code imports
LIMITS = {"as": 2 << 30, "cpu": 330, "nproc": 64, "fsize": 16 << 20, "nofile": 256}
TMP_SIZE, SHM_SIZE = 64 << 20, 16 << 20
START_TIMEOUT = 30


class Unavailable(RuntimeError):
    """No sandbox on this machine; the message says why and what to do."""


def requirements():
    """The pinned packages of the sandbox venv: NumPy and IPython, plus the course's plotting and widget
    packages when the grader has them (so a notebook that plots still runs), at the grader's versions."""
    from importlib import metadata
    pins = []
    for name, needed in (("numpy", True), ("ipython", True), ("matplotlib", False), ("graphviz", False),
                         ("ipywidgets", False)):
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            if needed:
                raise Unavailable(f"the grader needs {name} installed (pip install 'autograd_kit[grading]')") from None
    return pins


def venv_python(venv=VENV):
    return pathlib.Path(venv) / "bin" / "python"


def ensure_venv(venv=VENV, quiet=True):
    """Build the sandbox venv if it is missing (readable by every uid). Returns its python."""
    venv = pathlib.Path(venv)
    done = venv / ".complete"
    if done.exists() and done.read_text().split() == requirements():
        return venv_python(venv)
    if not os.path.exists(BASE_PYTHON):
        raise Unavailable(f"{BASE_PYTHON} is missing (apt-get install python3.11 python3.11-venv)")
    print(f"autograd-kit: building the sandbox interpreter in {venv} (once per machine)...", file=sys.stderr)
    tmp = venv.with_name(venv.name + f".build-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(tmp.parent, 0o755)
    out = subprocess.DEVNULL if quiet else None
    subprocess.run([BASE_PYTHON, "-m", "venv", "--without-pip", str(tmp)], check=True, stdout=out)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(tmp / "bin" / "python"), "install", "-q",
                    *requirements()], check=True, stdout=out, stderr=out)
    for root, dirs, files in os.walk(tmp):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    (tmp / ".complete").write_text("\n".join(requirements()) + "\n")
    subprocess.run(["chmod", "-R", "a+rX", str(tmp)], check=True)
    if venv.exists():
        shutil.rmtree(venv)
    os.replace(tmp, venv)
    return venv_python(venv)


_PROBED = {}


def check_available(venv=VENV, build=True):
    """Raise ``Unavailable`` (with the reason) unless sandboxes can start here. ``build``: build the
    sandbox interpreter if it is missing (``check`` on a student's laptop does not: it runs locally)."""
    key = str(venv)
    if key in _PROBED:
        if _PROBED[key]:
            raise Unavailable(_PROBED[key])
        return
    why = None
    if not sys.platform.startswith("linux"):
        why = "the sandbox needs Linux namespaces"
    elif not shutil.which("bwrap"):
        why = "bubblewrap is not installed (apt-get install bubblewrap, or tools/setup-system.sh)"
    elif os.geteuid() == 0 and not shutil.which("setpriv"):
        why = "setpriv (util-linux) is missing"
    if why is None:
        try:
            if build:
                ensure_venv(venv)
            if not (pathlib.Path(venv) / ".complete").exists():
                why = f"the sandbox interpreter {venv} is missing: run `autograd-kit sandbox-setup`"
        except (OSError, subprocess.CalledProcessError, Unavailable) as e:
            why = f"could not build the sandbox interpreter in {venv}: {e}"
    if why is None:
        done = subprocess.run(command(0, ["/opt/venv/bin/python", "-c", "pass"], venv=venv), capture_output=True,
                              timeout=60)
        if done.returncode != 0:
            why = ("user namespaces are not available here (bwrap: "
                   f"{done.stderr.decode(errors='replace').strip()[:200]})")
    _PROBED[key] = why
    if why:
        raise Unavailable(why)


def command(slot, argv, limits=None, venv=VENV, info_fd=None):
    """The argv that runs ``argv`` in a sandbox for worker ``slot``."""
    limits = dict(LIMITS, **(limits or {}))
    cmd = []
    if os.geteuid() == 0:
        uid = UID_BASE + slot
        cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
    else:
        limits.pop("nproc", None)  # counted per uid: the grader's own processes share it
    cmd += ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
            "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
            "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin", "--ro-bind", "/etc", "/etc",
            "--perms", "0755", "--dir", "/opt", "--ro-bind", str(venv), "/opt/venv",
            "--perms", "0755", "--dir", "/opt/kit", "--ro-bind", str(PACKAGE), "/opt/kit/autograd_kit",
            "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", str(SHM_SIZE), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
            "--perms", "1777", "--size", str(TMP_SIZE), "--tmpfs", "/tmp", "--remount-ro", "/",
            "--clearenv", "--setenv", "PATH", "/opt/venv/bin:/usr/bin", "--setenv", "HOME", "/tmp",
            "--setenv", "LANG", "C.UTF-8", "--setenv", "PYTHONPATH", "/opt/kit", "--setenv", "MPLBACKEND", "Agg",
            "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--chdir", "/tmp"]
    if info_fd is not None:
        cmd += ["--info-fd", str(info_fd)]
    cmd += ["prlimit"] + [f"--{k}={v}" for k, v in limits.items()] + ["--"]
    return cmd + list(argv)


def _local_limits(limits):
    """Without the sandbox, at least the memory, CPU, file-size and open-file limits (not the process
    count: it is per uid, shared with the grader)."""
    import resource
    limits = dict(LIMITS, **(limits or {}))
    names = {"as": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU, "fsize": resource.RLIMIT_FSIZE,
             "nofile": resource.RLIMIT_NOFILE}

    def apply():
        for key, res in names.items():
            try:
                resource.setrlimit(res, (limits[key], limits[key]))
            except (ValueError, OSError):
                pass
    return apply


class Kernel:
    """One student process: the agent with an IPython shell, sandboxed or (``sandboxed=False``, for a
    student's own ``autograd-kit check``) a plain subprocess. ``sock``: the grader's end of the pair."""

    def __init__(self, slot=0, sandboxed=True, limits=None, venv=VENV):
        self.proc, self.sock = None, None
        ours, theirs = socket.socketpair()
        try:
            argv = ["-m", "autograd_kit.grading.agent", str(theirs.fileno())]
            if sandboxed:
                cmd = command(slot, ["/opt/venv/bin/python", *argv], limits, venv)
                env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
            else:
                cmd = [sys.executable, *argv]
                env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER_"))}
                env.update(PYTHONPATH=os.pathsep.join([str(PACKAGE.parent), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
                           MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
            self.proc = subprocess.Popen(cmd, pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         start_new_session=True, cwd="/" if sandboxed else None,
                                         preexec_fn=None if sandboxed else _local_limits(limits))
        finally:
            theirs.close()
        self.sock = ours
        ours.settimeout(START_TIMEOUT)
        try:
            hello = wire.recv(ours)
        except (OSError, EOFError, wire.WireError) as e:
            self.kill()
            raise Unavailable(f"the sandbox did not start ({type(e).__name__})") from None
        if not (isinstance(hello, dict) and hello.get("ready") is True):
            self.kill()
            raise Unavailable("the sandbox did not start (no greeting)")

    def kill(self):
        """Kill the sandbox and everything in it (its PID namespace goes with bwrap)."""
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        p = self.proc
        if p is None or p.poll() is not None:
            return
        for target in (lambda: os.killpg(p.pid, signal.SIGKILL), lambda: p.kill()):
            try:
                target()
            except (OSError, ProcessLookupError):
                pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    close = kill

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def setup_main():
    """``autograd-kit sandbox-setup``: build the sandbox venv and probe a sandbox."""
    path = ensure_venv(quiet=False)
    _PROBED.clear()
    check_available()
    print(f"sandbox ready: {path} ({', '.join(requirements())}), bwrap {shutil.which('bwrap')}")
    return 0


if __name__ == "__main__":
    sys.exit(setup_main())
