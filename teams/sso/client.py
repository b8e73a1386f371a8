"""The OpenID Connect client: Authlib's Django integration, configured from settings.

Authlib reads the provider's `.well-known/openid-configuration` (discovery), sends the
authorization code flow with PKCE (S256), a random `state` and `nonce` kept in the
session, exchanges the code with the client secret and verifies the ID token: its
signature against the provider's JWKS (fetched again when a new key id appears), its
issuer, audience (our client id), expiry, issue time and nonce.
"""

from functools import cache

from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.utils.translation import gettext as _

NAME = "oidc"


def enabled() -> bool:
    return bool(settings.OIDC_ENABLED)


def button_label() -> str:
    return settings.OIDC_BUTTON_LABEL or _("Sign in with your company account")


def issuer() -> str:
    return settings.OIDC_ISSUER.rstrip("/")


def client():
    """The configured client; one per configuration, so the provider's metadata and keys
    are fetched once per process (and the keys again when the provider rotates them)."""
    return _client(
        settings.OIDC_ISSUER,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        settings.OIDC_SCOPES,
        settings.OIDC_TIMEOUT,
    )


@cache
def _client(issuer_url: str, client_id: str, client_secret: str, scopes: str, timeout: float):
    oauth = OAuth()
    return oauth.register(
        name=NAME,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=issuer_url.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "default_timeout": timeout,
        },
    )


def claims_options() -> dict:
    """The ID token's claims that must be there and hold (Authlib checks aud, exp, iat
    and nonce itself): the issuer we are configured with, not only the metadata's."""
    return {
        "iss": {"essential": True, "values": [issuer(), issuer() + "/"]},
        "sub": {"essential": True},
        "aud": {"essential": True, "value": settings.OIDC_CLIENT_ID},
        "exp": {"essential": True},
    }


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where the provider ends its own session (RP-initiated logout), or None when its
    metadata names no end_session_endpoint."""
    oidc = client()
    if not oidc.load_server_metadata().get("end_session_endpoint"):
        return None
    return oidc.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token,
        client_id=settings.OIDC_CLIENT_ID,
    )["url"]
