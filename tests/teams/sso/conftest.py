"""Single sign-on tests: the app configured for the live test provider (tests/fixtures/oidc.py),
and the whole flow driven without a browser: the Django test client is the app's side, a
`requests` session is the browser at the provider."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fixtures.oidc import use_provider


@dataclass
class Flow:
    start: object  # the app's answer to the button: a redirect to the provider
    callback_url: str = ""  # where the provider sent the browser back
    response: object = None  # the app's answer to the callback
    browser: object = None  # the requests session at the provider

    @property
    def authorize_params(self) -> dict:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.start["Location"]).query).items()}


@pytest.fixture
def sso(settings, oidc_provider):
    use_provider(settings, oidc_provider)
    return oidc_provider


@pytest.fixture
def sso_flow(sso):
    """`sso_flow(client, email, name=..., verified=..., next=...)`: press the button,
    sign in at the provider as that person, come back; returns the Flow (its `response`
    is the app's answer to the callback)."""

    def run(client, email, *, name="", verified=True, next=None, callback=True) -> Flow:
        start = client.get("/accounts/sso/start/", {"next": next} if next else {})
        assert start.status_code == 302, start.content[:300]
        browser = sso.browser_session()
        sso.sign_in(browser, email, name=name, verified=verified)
        flow = Flow(start=start, browser=browser)
        flow.callback_url = sso.authorize(browser, start["Location"])
        if callback:
            flow.response = client.get(flow.callback_url.removeprefix("http://testserver"))
        return flow

    return run
