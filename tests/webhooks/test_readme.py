"""The README's two ways to check a webhook's signature, copied as they are, against a
delivery the app really sent to a receiver."""

import re

import pytest

from tests.factories import EndpointFactory
from tests.helpers import ROOT
from webhooks import services
from webhooks.delivery import deliveries_send

pytestmark = pytest.mark.django_db


def readme_snippets() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Webhooks") : text.index("## Performance")]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.fixture
def delivered(receiver):
    endpoint = EndpointFactory(url=receiver.url)
    deliveries_send([services.delivery_test(endpoint=endpoint).pk])
    [received] = receiver.received
    return endpoint.secret, received


def test_the_readme_has_both_snippets():
    assert len(readme_snippets()) == 2


def test_the_library_snippet_accepts_a_delivery_and_refuses_a_forgery(delivered, capsys):
    secret, received = delivered
    library = readme_snippets()[0].replace('"whsec_..."', repr(secret))
    scope: dict = {}
    exec(library, scope)  # noqa: S102 - the README's own code
    assert scope["receive"](received.body, received.headers) == 204
    assert "webhook.test" in capsys.readouterr().out
    assert scope["receive"](received.body + b" ", received.headers) == 400


def test_the_standard_library_snippet_agrees(delivered):
    secret, received = delivered
    scope: dict = {}
    exec(readme_snippets()[1], scope)  # noqa: S102 - the README's own code
    verified = scope["verified"]
    headers = {name.title(): value for name, value in received.headers.items()}
    assert verified(secret, received.body, headers)
    assert not verified(secret, received.body.replace(b"test", b"tost"), headers)
    other = EndpointFactory().secret
    assert not verified(other, received.body, headers)
