"""Writes: a key result's new value, and a comment on a team objective. Each accepts an
`Idempotency-Key` header (the same key again answers the first answer and writes
nothing) and is audited with its token and the client's address."""

from django.http import HttpRequest, HttpResponse
from ninja import Header, Status

from api import access, services, shapes
from api.http import api
from api.schemas import CommentIn, CommentOut, Conflict, Error, ValueIn, ValueRecorded
from core.client_ip import client_ip

WRITE_ANSWERS = {401: Error, 403: Error, 404: Error, 422: Error, 429: Error}
IDEMPOTENCY = Header(
    None,
    alias="Idempotency-Key",
    description="Any unique string (a UUID): a retry with the same key writes once.",
)


def _once(request, response, token, idempotency_key, payload, write) -> Status:
    """`write` once per token and Idempotency-Key (services.idempotent); a replayed
    answer says so in `Idempotent-Replayed`."""
    status, body, replayed = services.idempotent(
        token=token,
        key=idempotency_key,
        request_fingerprint=services.fingerprint(
            "POST", request.path, payload.model_dump(mode="json")
        ),
        write=write,
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, body)


@api.post(
    "/key-results/{key_result_id}/values",
    response={201: ValueRecorded, 409: Conflict, **WRITE_ANSWERS},
    tags=["key results"],
)
def value_record(
    request: HttpRequest,
    key_result_id: int,
    payload: ValueIn,
    response: HttpResponse,
    idempotency_key: str | None = IDEMPOTENCY,
):
    """Record a key result's new value (and optionally confidence and a comment) in its
    append-only history, as a check-in does. Send the `version` you last read to be
    told (409) when someone changed the key result meanwhile."""
    token = request.auth
    key_result = access.get_key_result_for_api_writer(token, key_result_id)

    def write() -> tuple[int, dict]:
        update = services.value_record(
            token=token,
            key_result=key_result,
            value=payload.value,
            confidence=payload.confidence,
            comment=payload.comment,
            expected_version=payload.version,
            ip_address=client_ip(request),
        )
        key_result.refresh_from_db()
        update.author = token.user
        body = {"value": shapes.value_out(update), "key_result": shapes.key_result_out(key_result)}
        return 201, ValueRecorded.model_validate(body).model_dump(mode="json")

    return _once(request, response, token, idempotency_key, payload, write)


@api.post(
    "/objectives/{objective_id}/comments",
    response={201: CommentOut, **WRITE_ANSWERS},
    tags=["objectives"],
)
def comment_post(
    request: HttpRequest,
    objective_id: int,
    payload: CommentIn,
    response: HttpResponse,
    idempotency_key: str | None = IDEMPOTENCY,
):
    """Post a comment on a team objective (the team and leaders discuss it; the team is
    emailed, as from the page). Personal read-write tokens only."""
    token = request.auth
    objective = access.get_team_objective_for_api_comment(token, objective_id)

    def write() -> tuple[int, dict]:
        comment = services.comment_post(
            token=token, objective=objective, body=payload.body, ip_address=client_ip(request)
        )
        author = token.user
        body = {
            "id": comment.pk,
            "body": comment.body,
            "author": author.name or author.email,
            "created_at": comment.created_at,
        }
        return 201, CommentOut.model_validate(body).model_dump(mode="json")

    return _once(request, response, token, idempotency_key, payload, write)
