"""Steps every browser journey shares: signing in and out, catching the browser's
errors, finding form controls, opening a team page, saving a field as it is typed."""

import os
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.factories import PASSWORD

TEAM_PATH = "/teams/onboarding/"


def sign_in(page, live_server, email, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")


def sign_out(page, live_server):
    # The account menu is a <details>: open it, then the button inside is visible.
    page.locator("summary", has_text="Account menu for").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")


def collect_errors(page, errors: list[str], *, allowed=(), expected: list | None = None):
    """Script errors and console errors (CSP violations, failed requests) of one page go
    to `errors`. A console error containing one of the `allowed` texts (a refusal the
    journey causes on purpose, e.g. "status of 422") goes to `expected` when given, and
    is not an error. (Screenshots need caret="initial": Playwright's caret-hiding style
    is itself a CSP violation.)"""

    def on_console(message):
        if message.type != "error":
            return
        if any(text in message.text for text in allowed):
            if expected is not None:
                expected.append(message.text)
        else:
            errors.append(f"{page.url}: {message.text}")

    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("console", on_console)


def snap(page, name: str) -> None:
    """A screenshot under $E2E_SCREENSHOTS (when set), for reviewing the UI by eye."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True, caret="initial")


def field(scope, label):
    """The form control labelled exactly `label`. A required field's label ends in an
    aria-hidden " *", which Playwright's exact label match would otherwise trip on."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def open_team_page(page, live_server, path=TEAM_PATH, name="Onboarding"):
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


SAVED = re.compile(r"^Saved at \d{2}:\d{2}$")  # what a field's status says once it is saved


def autosave(page, control, status_id: str, text: str) -> None:
    """Type into a field and wait until its autosave reports "Saved at <time>"."""
    control.fill(text)
    expect(page.locator(f"#{status_id}")).to_have_text(SAVED)


def messages(page):
    return page.locator("#messages")
