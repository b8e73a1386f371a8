"""Every module the app is entered by imports on its own, in a fresh interpreter.

Within the test run, one test's imports hide another module's import cycle (it worked
because something else was imported first); `manage.py seed_demo` or a Celery worker
starts from a single module and would fail."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "teams", "okrs", "checkins", "dashboard")


def _modules() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or parts[-1] in ("__init__", "settings", "wsgi", "asgi"):
                continue
            found.append(".".join(parts))
    return found


def test_every_module_imports_first():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"}
    code = "import django, importlib, sys; django.setup(); importlib.import_module(sys.argv[1])"
    modules = _modules()
    assert "okrs.workflow" in modules and "okrs.management.commands.seed_demo" in modules
    running = [
        (
            module,
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-c", code, module],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for module in modules
    ]
    failed = {}
    for module, process in running:
        _, stderr = process.communicate(timeout=120)
        if process.returncode:
            failed[module] = stderr.strip().splitlines()[-1]
    assert failed == {}
