"""Small things many test modules share: the five roles, the htmx header, signed-in
clients, the sign-in form, prefixed form posts and where the project lives."""

import os
from pathlib import Path

from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Who may do what is checked for each of these (tests/permissions.py describes them).
ROLES = ["anonymous", "outsider", "member", "lead", "leader"]
# What htmx sends with each of its requests.
HX = {"HTTP_HX_REQUEST": "true"}


def role_of(request) -> str:
    """The role a test parametrized `role_client` with (indirectly)."""
    return request.node.callspec.params["role_client"]


def signed_in(user, **client_options) -> Client:
    """A test client signed in as `user` (anonymous for None); `client_options` go to
    `Client`, e.g. `enforce_csrf_checks=True` or `REMOTE_ADDR=...`."""
    client = Client(**client_options)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def sign_in(client: Client, email: str, password: str, **extra):
    """Posts the sign-in form, as a person would."""
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def prefixed(prefix: str, values: dict) -> dict:
    """A form post for a form with a prefix: {"title": …} -> {"<prefix>-title": …}."""
    return {f"{prefix}-{key}": value for key, value in values.items()}
