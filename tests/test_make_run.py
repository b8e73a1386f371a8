"""`make run` serves web, worker and beat and stops them all, quietly, on one Ctrl-C or
one SIGTERM (repeated signals from a `trap 'kill 0'` used to hang the Celery worker)."""

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.helpers import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    table = subprocess.run(  # noqa: S603
        ["ps", "-eo", "pid=,ppid="],
        capture_output=True,
        text=True,
        check=True,  # noqa: S607
    ).stdout
    children: dict[int, list[int]] = {}
    for line in table.splitlines():
        child, parent = map(int, line.split())
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purpose
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


@pytest.mark.slow  # starts the whole app with make, twice
@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_make_run_stops_web_worker_and_beat_on_one_signal(tmp_path, how):
    port = _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "CELERY_DATA_DIR": str(tmp_path / "celery"),
        "DEV_MAILBOX_DIR": str(tmp_path / "mailbox"),
        "SECRET_KEY": "tests-only-not-secret",
    }
    log = open(tmp_path / "run.log", "w+")  # noqa: SIM115 - read after the process ends
    make = subprocess.Popen(  # noqa: S603
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,  # noqa: S607
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("make run never answered /healthz")
        time.sleep(3)  # the worker and beat are up too
        processes = _descendants(make.pid)
        assert len(processes) >= 3, "make run starts its supervisor, the web server and a worker"
        if how == "sigterm":
            make.send_signal(signal.SIGTERM)
        else:
            os.killpg(make.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        make.wait(timeout=30)
        stopped_by = time.monotonic() + 15
        while time.monotonic() < stopped_by and any(_alive(pid) for pid in processes):
            time.sleep(0.2)
        assert not [pid for pid in processes if _alive(pid)], "a process outlived make run"
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        for pid in _descendants(make.pid):
            os.kill(pid, signal.SIGKILL)
    log.seek(0)
    output = log.read()
    assert output.count("Warm shutdown") <= 2, output[-3000:]
    assert "RecursionError" not in output and "Lean OKRs stopped." in output
