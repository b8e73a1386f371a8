"""`make run`'s supervisor: the web server and a Celery worker with beat, stopped together.

Each child runs in its own session, so a Ctrl-C in the terminal reaches this process
only, and each child gets exactly one SIGTERM from here (repeated signals made Celery log
"Warm shutdown" hundreds of times and fail in its signal handler). When either child
ends, the other is stopped too. A child still running after GRACE seconds is killed.
"""

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    commands = {
        "worker": [
            str(bin_dir / "celery"),
            "-A",
            "config",
            "worker",
            "--beat",
            "--loglevel=INFO",
            "--concurrency=2",
        ],
        "web": [sys.executable, "manage.py", "runserver", f"{args.host}:{args.port}"],
    }
    children = {
        name: subprocess.Popen(command, cwd=ROOT, start_new_session=True)  # noqa: S603
        for name, command in commands.items()
    }
    stopping = False

    def stop(signum=None, frame=None) -> None:
        nonlocal stopping
        if stopping:
            return  # one stop is enough: a second Ctrl-C changes nothing
        stopping = True
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(child.poll() is None for child in children.values()):
        time.sleep(0.2)
    stop()
    deadline = time.monotonic() + GRACE
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop within {GRACE} s: killed", file=sys.stderr)
            child.kill()
            child.wait()
    print("Lean OKRs stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
