"""The sandbox itself, probed from student code: every way out fails."""
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from autograd_kit.grading import sandbox
from autograd_kit.grading.remote import SandboxGone, Session

from grading_fixtures import sandbox_ok


@pytest.fixture
def kernel():
    assert sandbox_ok(), "the sandbox is not available: run tools/setup-system.sh (as root)"
    k = sandbox.Kernel(slot=5)
    yield k, Session(k.sock, timeout=20, on_timeout=k.kill)
    k.kill()


def run(session, code):
    reply = session.run(code)
    return reply["status"], reply.get("type"), reply.get("msg", "")


def value(session, code, name="_v"):
    status, etype, msg = run(session, code)
    assert status == "ok", (etype, msg)
    return session.fetch({name})[name]


def test_writing_the_sources_the_kit_or_the_system_fails(kernel, tmp_path):
    _, s = kernel
    src = tmp_path / "source.ipynb"
    src.write_text("{}")
    os.chmod(tmp_path, 0o777)
    src.chmod(0o666)  # even a world-writable file outside the sandbox is not there at all
    assert run(s, f"open({str(src)!r}, 'w').write('x')")[1] == "FileNotFoundError"
    assert run(s, "import autograd_kit, pathlib\n(pathlib.Path(autograd_kit.__file__).parent / 'x.py').write_text('')")[1] \
        == "OSError"  # read-only file system
    assert run(s, "open('/usr/lib/evil', 'w')")[1] == "OSError"
    assert run(s, "open('/etc/passwd', 'a')")[1] in ("OSError", "PermissionError")
    assert src.read_text() == "{}"


def test_other_submissions_the_project_and_secrets_cannot_be_read(kernel, tmp_path):
    _, s = kernel
    other = tmp_path / "bob" / "02_gradients.ipynb"
    other.parent.mkdir()
    other.write_text("bob's answers")
    os.chmod(tmp_path, 0o755)
    os.chmod(other.parent, 0o755)
    other.chmod(0o644)
    assert run(s, f"open({str(other)!r}).read()")[1] == "FileNotFoundError"
    assert run(s, f"import os\nos.listdir({str(sandbox.PACKAGE.parent)!r})")[1] == "FileNotFoundError"
    assert run(s, "open('/etc/shadow').read()")[1] == "PermissionError"
    assert value(s, "import os\n_v = sorted(os.listdir('/opt/kit'))") == ["autograd_kit"]
    assert value(s, "import os\n_v = os.path.exists('/root')") is False


def test_no_network(kernel):
    _, s = kernel
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        status, etype, _ = run(s, f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)")
        assert status == "error" and etype == "ConnectionRefusedError"  # the sandbox's own, empty loopback
        assert run(s, "import socket\nsocket.getaddrinfo('pypi.org', 443)")[1] == "gaierror"
        assert value(s, "import socket\n_v = [name for _, name in socket.if_nameindex()]") == ["lo"]
    finally:
        server.close()


def test_unprivileged_alone_and_limited(kernel):
    _, s = kernel
    assert value(s, "import os\n_v = os.getuid()") == sandbox.UID_BASE + 5
    assert value(s, "_v = [l for l in open('/proc/self/status') if l.startswith('CapEff')][0].split()[1]") \
        == "0000000000000000"
    assert value(s, "import os\n_v = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())") == [1, 2]
    assert value(s, "import subprocess\n_v = subprocess.run(['unshare', '--user', 'true']).returncode") != 0  # no nesting
    assert run(s, "_b = bytearray(3 << 30)")[1] == "MemoryError"
    assert run(s, "open('/tmp/big', 'wb').write(b'x' * (17 << 20))")[1] == "OSError"  # RLIMIT_FSIZE (16 MB)
    assert value(s, "import resource\n_v = resource.getrlimit(resource.RLIMIT_NOFILE)[1]") == 256
    assert value(s, "import resource\n_v = resource.getrlimit(resource.RLIMIT_NPROC)[1]") == 64


def test_a_daemon_dies_with_the_sandbox(kernel):
    k, s = kernel
    marker = f"sleep {4000 + os.getpid() % 1000}"
    assert run(s, f"import os\nif os.fork() == 0:\n    os.setsid()\n    os.execvp('sleep', {marker.split()!r})")[0] == "ok"
    time.sleep(0.3)
    assert marker in _host_processes()
    k.kill()
    time.sleep(0.5)
    assert marker not in _host_processes()


def test_killing_the_parent_or_everything_reaches_nothing_outside(kernel):
    k, s = kernel
    witness = subprocess.Popen(["sleep", "30"])
    try:
        status, etype, _ = run(s, f"import os\nos.kill({witness.pid}, 9)")
        assert etype == "ProcessLookupError"  # host pids do not exist in the sandbox's PID namespace
        run(s, f"import os\nos.kill({os.getpid()}, 9)")
        run(s, "import os\nos.kill(os.getppid(), 9)")  # bwrap's init in the namespace: the signal is dropped
        assert s.run("_alive = 1")["status"] == "ok"
        assert run(s, "import os, subprocess\n_p = subprocess.Popen(['sleep', '30'])\nos.kill(-1, 9)\n_v = _p.wait()")[0] == "ok"
        assert s.fetch({"_v"})["_v"] == -9  # kill(-1) reached the sandbox's own processes, and only them
        assert witness.poll() is None
    finally:
        witness.kill()


def test_the_wall_clock_deadline_kills_an_endless_cell(kernel):
    k, s = kernel
    t0 = time.monotonic()
    with pytest.raises(SandboxGone):
        s.run("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass", timeout=1.5)
    assert time.monotonic() - t0 < 5 and k.proc.poll() is not None


def test_the_grader_dying_takes_the_sandbox_with_it(tmp_path):
    assert sandbox_ok()
    code = ("import sys, time\nsys.path.insert(0, %r)\nfrom autograd_kit.grading import sandbox\n"
            "from autograd_kit.grading.remote import Session\nk = sandbox.Kernel(slot=6)\n"
            "Session(k.sock).run(\"import subprocess\\nsubprocess.Popen(['sleep', '4321'])\")\n"
            "print('up', flush=True)\ntime.sleep(60)\n") % str(sandbox.PACKAGE.parent)
    grader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert grader.stdout.readline().strip() == "up"
        assert "sleep 4321" in _host_processes()
        grader.kill()
        grader.wait()
        deadline = time.monotonic() + 5
        while "sleep 4321" in _host_processes() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "sleep 4321" not in _host_processes()
    finally:
        grader.kill()


def test_two_slots_cannot_signal_each_other():
    assert sandbox_ok()
    a, b = sandbox.Kernel(slot=3), sandbox.Kernel(slot=4)
    try:
        sa, sb = Session(a.sock), Session(b.sock)
        assert sb.run("import os\n_uid = os.getuid()")["status"] == "ok"
        assert sb.fetch({"_uid"})["_uid"] != sa.run("import os\n_uid = os.getuid()") and \
            sa.fetch({"_uid"})["_uid"] == sandbox.UID_BASE + 3
        host_pid_of_b = b.proc.pid
        assert sa.run(f"import os\nos.kill({host_pid_of_b}, 9)")["type"] == "ProcessLookupError"
        assert sb.run("_still = 1")["status"] == "ok"
    finally:
        a.kill()
        b.kill()


def test_grade_refuses_without_a_sandbox_unless_told(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "autograd-kit")
    env = dict(os.environ, PATH="/nonexistent", PYTHONPATH=str(sandbox.PACKAGE.parent))
    done = subprocess.run([exe, "grade", str(tmp_path), "--source", str(tmp_path), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 2
    assert "refusing to run student code without a sandbox: bubblewrap is not installed" in done.stderr
    assert "--unsafe-no-sandbox" in done.stderr


def _host_processes():
    return subprocess.run(["ps", "-e", "-o", "args="], capture_output=True, text=True).stdout


def test_threads_do_not_share_a_sandbox():
    """Parallel kernels (one per slot) start and answer independently."""
    assert sandbox_ok()
    out = {}

    def one(slot):
        with sandbox.Kernel(slot=slot) as k:
            s = Session(k.sock)
            s.run(f"_v = {slot} * 10")
            out[slot] = s.fetch({"_v"})["_v"]

    threads = [threading.Thread(target=one, args=(slot,)) for slot in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert out == {1: 10, 2: 20}
