"""Writes of the api app: tokens made and revoked, and the API's writes wrapped so that
a retried request (the same `Idempotency-Key`) writes once. Each write is one
transaction with its audit record (who, which token, from where)."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api import tokens
from api.models import ApiToken, IdempotentWrite
from okrs import services as okr_services
from okrs.models import Comment, KeyResult, KeyResultUpdate, Objective
from okrs.services import workflow
from teams.audit import audit_record
from teams.models import AuditEvent, Team, User

MAX_DAYS = 365
IDEMPOTENCY_KEY_MAX = 200
# How long a write's answer is kept for a retry with the same Idempotency-Key: a key sent
# again after that writes again.
IDEMPOTENCY_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class MadeToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _expiry(expires_on: date) -> datetime:
    today = timezone.localdate()
    if expires_on <= today:
        raise ValidationError({"expires_on": [_("Choose a day after today.")]})
    if expires_on > today + timedelta(days=MAX_DAYS):
        raise ValidationError({"expires_on": [_("A token lasts at most a year.")]})
    # The token works through the whole of its last day.
    return timezone.make_aware(datetime.combine(expires_on + timedelta(days=1), time.min))


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str,
    scope: str,
    expires_on: date,
    team: Team | None = None,
    ip_address: str | None = None,
) -> MadeToken:
    """Make a token: personal (no `team`) or a team's (read-write, recording values for
    the team's key results). The caller checked that `user` may (api.access, views)."""
    secret = tokens.new_secret()
    kind = ApiToken.Kind.TEAM if team is not None else ApiToken.Kind.PERSONAL
    token = ApiToken(
        kind=kind,
        name=name.strip(),
        scope=ApiToken.Scope.WRITE if team is not None else scope,
        user=user,
        team=team,
        prefix=tokens.shown_prefix(secret),
        secret_hash=tokens.secret_hash(secret),
        expires_at=_expiry(expires_on),
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=user,
        action=AuditEvent.Action.TOKEN_CREATED,
        subject=f"{team.name}: {token}" if team else str(token),
        ip_address=ip_address,
    )
    return MadeToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User, ip_address: str | None = None) -> ApiToken:
    """Stop a token from working, at once (revoking twice changes nothing)."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db()
    if revoked:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.TOKEN_REVOKED,
            subject=f"{token.team.name}: {token}" if token.team else str(token),
            ip_address=ip_address,
        )
    return token


class IdempotencyKeyReused(Exception):  # noqa: N818 - an answer (422)
    """The key was used before for another request."""


def fingerprint(method: str, path: str, payload: dict) -> str:
    """What a request asked for, to tell a retry from another request under the key."""
    text = json.dumps([method, path, payload], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(
    *,
    token: ApiToken,
    key: str | None,
    request_fingerprint: str,
    write: Callable[[], tuple[int, dict]],
) -> tuple[int, dict, bool]:
    """Run `write` (its status and JSON body) once per token and key: (status, body,
    replayed). The key's row is written first in the same transaction; a second request
    with the key waits on its unique constraint until the first commits, then answers
    what the first answered. A write that fails rolls its key back with it."""
    if not key:
        with transaction.atomic():
            status, body = write()
        return status, body, False
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            _("An Idempotency-Key has at most %(n)d characters.") % {"n": IDEMPOTENCY_KEY_MAX}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotentWrite.objects.create(
                    token=token, key=key, fingerprint=request_fingerprint
                )
        except IntegrityError:
            earlier = IdempotentWrite.objects.get(token=token, key=key)
            if earlier.fingerprint != request_fingerprint:
                raise IdempotencyKeyReused(
                    _("This Idempotency-Key was used for another request. Use a new key.")
                ) from None
            return earlier.status, earlier.body, True
        status, body = write()
        record.status, record.body = status, body
        record.save(update_fields=["status", "body"])
    return status, body, False


def idempotency_keys_forget(*, now: datetime | None = None) -> int:
    """Forget the answers kept for keys older than IDEMPOTENCY_KEPT; how many."""
    before = (now or timezone.now()) - IDEMPOTENCY_KEPT
    return IdempotentWrite.objects.filter(created_at__lt=before).delete()[0]


# Inside `idempotent`'s transaction: no savepoint of its own (an error rolls back all).
@transaction.atomic(savepoint=False)
def value_record(
    *,
    token: ApiToken,
    key_result: KeyResult,
    value: Decimal,
    confidence: int | None,
    comment: str,
    expected_version: int | None,
    ip_address: str | None,
) -> KeyResultUpdate:
    """Record a key result's value through the API: the same service as the pages and
    check-ins (append-only history), and its audit record with the token."""
    update = okr_services.key_result_record(
        key_result=key_result,
        value=value,
        confidence=confidence,
        comment=comment,
        author=token.user,
        expected_version=expected_version,
    )
    audit_record(
        actor=token.user,
        action=AuditEvent.Action.API_WRITE,
        subject=f"“{key_result.title}” = {value}",
        ip_address=ip_address,
        via=tokens.describe(token),
    )
    return update


# Inside `idempotent`'s transaction: no savepoint of its own (an error rolls back all).
@transaction.atomic(savepoint=False)
def comment_post(
    *, token: ApiToken, objective: Objective, body: str, ip_address: str | None
) -> Comment:
    """A comment on a team objective through the API (the pages' service)."""
    comment = workflow.comment_add(objective=objective, author=token.user, body=body)
    audit_record(
        actor=token.user,
        action=AuditEvent.Action.API_WRITE,
        subject=f"comment on “{objective.title}”",
        ip_address=ip_address,
        via=tokens.describe(token),
    )
    return comment
