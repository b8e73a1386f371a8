"""Middleware every page gets: refuse what cannot be read, keep personal pages out of
shared caches, and answer a database outage with a page that says so."""

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
READABLE_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}


class UnreadableBodyMiddleware:
    """A form posted in a charset other than UTF-8 (say `charset=utf-16`) is refused
    with 400 before anything parses it: Django would fail decoding it, and its error
    page would parse it again for the CSRF check, which ended in the server's bare 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORM_TYPES:
            charset = (request.content_params.get("charset") or "utf-8").strip().lower()
            if charset not in READABLE_CHARSETS:
                return HttpResponseBadRequest(
                    "Send forms as UTF-8.", content_type="text/plain; charset=utf-8"
                )
        return self.get_response(request)


class PrivatePagesMiddleware:
    """What a signed-in person sees is theirs: `Cache-Control: private, no-store`, so a
    shared computer's browser or a proxy keeps none of it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            signed_in = request.user.is_authenticated
        except AttributeError:
            signed_in = False
        except DatabaseError:
            signed_in = True  # the database is down: keep the answer out of caches anyway
        if signed_in:
            patch_cache_control(response, private=True, no_store=True)
        return response


class DatabaseUnavailableMiddleware:
    """The database does not answer: a friendly 503 that says so (and when to try
    again), not a 500 after the pool's long wait."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("The database does not answer: %s", exception)
        # A page of its own, rendered without the context processors (they would ask the
        # database who is signed in).
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        patch_cache_control(response, no_store=True)
        return response


TECHNICAL_404_MARK = b"because you have <code>DEBUG = True</code>"


class FriendlyNotFoundMiddleware:
    """With DEBUG on (`make run`), a page that is not there shows the app's own 404 page,
    as in production, unless a developer asks for Django's technical one
    (DEBUG_TECHNICAL_404=true). Only Django's technical page is replaced: the app's own
    404 answers (an invitation that does not exist, say) stay as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and not settings.DEBUG_TECHNICAL_404
            and not getattr(response, "streaming", False)
            and TECHNICAL_404_MARK in response.content
        ):
            return render(request, "404.html", status=404)
        return response


class PersonLanguageMiddleware:
    """A signed-in person's own language (Settings and emails) wins over the browser's
    Accept-Language and the sign-in page's switch, which LocaleMiddleware read before.
    The choice is a column of the person, loaded with them: no query of its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            language = (
                getattr(request.user, "language", "") if request.user.is_authenticated else ""
            )
        except (AttributeError, DatabaseError):
            language = ""  # no user yet, or the database is away: the browser's language
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
