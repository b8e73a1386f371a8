"""Real Chromium driven by Playwright against Django's live server."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make between browser steps are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]


HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects anything
def pytest_collection_modifyitems(items):
    """Every browser journey is `e2e` and `slow`, whatever its module says."""
    for item in items:
        if item.path.is_relative_to(HERE):
            for name in ("e2e", "slow"):
                if item.get_closest_marker(name) is None:
                    item.add_marker(name)


def _system_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    executable = _system_chromium()
    with sync_playwright() as playwright:
        try:
            # The system Chromium when present, else Playwright's own browser.
            browser = playwright.chromium.launch(executable_path=executable, args=args)
        except Exception as error:  # noqa: BLE001
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                raise
            pytest.skip(f"No Chromium for browser tests: {error}")
        yield browser
        browser.close()


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _new_page(browser)
    yield page
    context.close()


@pytest.fixture
def second_page(browser):
    """A second browser: another person on another machine."""
    context, page = _new_page(browser)
    yield page
    context.close()
