"""Typed requests and responses whose status says what happened."""

from http import HTTPStatus

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind `login_required`: its user is a person, never anonymous."""

    user: AbstractBaseUser


class HttpResponseConflict(HttpResponse):
    """409: someone saved first; the current values are shown beside the editor's."""

    status_code = HTTPStatus.CONFLICT


class HttpResponseUnprocessable(HttpResponse):
    """422: the form is re-rendered with its errors; nothing was saved."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY


def error_text(error: ValidationError) -> str:
    """A refusal's messages as one sentence for a page message or an inline error."""
    return " ".join(error.messages)
