"""Bearer tokens for the API: `Authorization: Bearer lok_…`. Each request is counted
against its token's rate limit; a request whose token is no token is counted against
its address, so guessing costs time."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from api import tokens
from api.access import TokenRefused, ensure_usable
from api.models import ApiToken
from core.client_ip import client_ip
from core.ratelimit import wait_seconds


class RateLimited(Exception):  # noqa: N818 - an answer (429)
    def __init__(self, wait: int):
        super().__init__(_("Too many requests. Try again in %(n)d seconds.") % {"n": wait})
        self.wait = wait


class TokenAuth(HttpBearer):
    openapi_description = (
        "A personal token (Settings and emails) or a team token (the team page), "
        "sent as `Authorization: Bearer lok_…`."
    )

    def __call__(self, request: HttpRequest):
        # Without the header at all, say so (HttpBearer answers a bare 401).
        if not request.headers.get("Authorization"):
            raise TokenRefused(_("Send a token: Authorization: Bearer lok_…"))
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = tokens.token_for_secret(token)
        if found is None:
            wait = wait_seconds("api_bad_token_address", client_ip(request) or "unknown")
            if wait:
                raise RateLimited(wait)
        found = ensure_usable(found)
        wait = wait_seconds("api_token", str(found.pk))
        if wait:
            raise RateLimited(wait)
        tokens.mark_used(found)
        request.api_token = found
        return found


__all__ = ["RateLimited", "TokenAuth", "TokenRefused"]
