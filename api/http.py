"""The API object: version, auth, and every error as JSON `{"detail": …}` with its
status (400 unreadable, 401 no working token, 403 not yours, 404 not there, 409 stale,
422 invalid, 429 too many)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from api.auth import RateLimited, TokenAuth, TokenRefused
from api.services import IdempotencyKeyReused
from api.shapes import key_result_out
from core.versioning import StaleEdit

api = NinjaAPI(
    title="Lean OKRs API",
    version="1",
    description=(
        "Read cycles, OKRs, check-ins and experiments; record key result values and "
        "comment on team objectives. Send a token as `Authorization: Bearer lok_…`. "
        "Writes accept an `Idempotency-Key` header: a retried request writes once."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url=None,
    # The schema (/api/v1/openapi.json) for people signed in, as the docs page
    # (/api/docs, api.views.docs); `manage.py export_openapi_schema --api api.http.api`
    # writes it without a server.
    docs_decorator=login_required,
)


def error(request: HttpRequest, status: int, detail: str, **extra) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


def validation_messages(exc: ValidationError) -> tuple[str, dict[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        fields = {
            ("value" if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in exc.message_dict.items()
        }
        first = next(iter(fields.values()))[0]
        return first, fields
    return " ".join(exc.messages), {}


@api.exception_handler(TokenRefused)
def _refused(request, exc):
    response = error(request, 401, str(exc))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = error(request, 401, _("Send a token: Authorization: Bearer lok_…"))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RateLimited)
def _rate_limited(request, exc):
    response = error(request, 429, str(exc))
    response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, str(exc) or _("This is not yours to do."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, str(exc) or _("There is no such thing here."))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 400:
        return error(request, 400, _("The request body is not JSON. Send application/json."))
    return error(request, exc.status_code, str(exc))


@api.exception_handler(SchemaError)
def _invalid_schema(request, exc):
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "payload")]
        fields.setdefault(".".join(location) or "body", []).append(str(item.get("msg", "")))
    return error(request, 422, _("Some fields are missing or invalid: see errors."), errors=fields)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    detail, fields = validation_messages(exc)
    return error(request, 422, detail, errors=fields or None)


@api.exception_handler(IdempotencyKeyReused)
def _key_reused(request, exc):
    return error(request, 422, str(exc))


@api.exception_handler(StaleEdit)
def _stale(request, exc):
    return error(
        request,
        409,
        _(
            "Someone changed this key result since you read it: nothing was recorded. "
            "Read it again (its version is below) and send the value again if it still holds."
        ),
        key_result=key_result_out(exc.current),
    )
