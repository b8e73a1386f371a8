"""htmx plumbing in one place: full page or fragment, and meaningful status codes."""

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django_htmx.http import reswap, retarget

UNPROCESSABLE = HTTPStatus.UNPROCESSABLE_ENTITY  # the form is re-rendered with its errors
CONFLICT = HTTPStatus.CONFLICT  # a stale edit: the current values beside the editor's


def is_fragment_request(request: HttpRequest) -> bool:
    """htmx asks for a fragment, except when it restores history (a full page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page_or_fragment(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    fragment: str,
    status: int = 200,
) -> HttpResponse:
    """Render `template_name`, or only its `{% partialdef fragment %}` for htmx."""
    name = f"{template_name}#{fragment}" if is_fragment_request(request) else template_name
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass(frozen=True)
class Notice:
    """A one-off message shaped like django.contrib.messages' for the same template."""

    text: str
    tags: str = "success"

    def __str__(self) -> str:
        return self.text


def render_fragment_into(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    target: str,
    status: int = 200,
    message: str = "",
) -> HttpResponse:
    """Render a fragment that replaces another element than the one that asked.

    The page's message area is replaced too (out of band), so a confirmation is shown
    and announced to screen readers, and an older message does not linger.
    """
    response = render(request, template_name, context, status=status)
    notices = [Notice(message)] if message else []
    response.content += render_to_string(
        "includes/messages.html", {"messages": notices, "oob": True}
    ).encode()
    patch_vary_headers(response, ["HX-Request"])
    return reswap(retarget(response, target), "outerHTML")
