"""The health probe and the development mailbox (the home page lives in dashboard)."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.mail import MAILBOX_BACKEND, read_mailbox

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@login_required
@require_GET
def dev_mailbox(request: HttpRequest) -> HttpResponse:
    """What the app emailed, for superusers, when mail stays on this machine."""
    if not request.user.is_superuser:
        raise PermissionDenied("The development mailbox is for administrators.")
    using_mailbox = settings.MAILERS["default"]["BACKEND"] == MAILBOX_BACKEND
    return render(
        request,
        "dev_mailbox.html",
        {"messages_": read_mailbox() if using_mailbox else [], "using_mailbox": using_mailbox},
    )
