"""Edits that never silently overwrite each other: a conditional update on a version.

The editor sends the version it loaded; the update only happens while the row still has
that version, and moves it on. Zero rows updated means someone saved first: the caller
gets `StaleEdit` with the current row, and nothing was written.
"""

from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone


class StaleEdit(Exception):  # noqa: N818 - the product's word for it
    """The record changed since the editor loaded it; nothing was saved."""

    def __init__(self, current: models.Model):
        super().__init__("Someone else saved a change first.")
        self.current = current


def versioned_update[M: models.Model](
    queryset: models.QuerySet[M],
    *,
    pk: Any,
    expected_version: int,
    values: dict[str, Any],
    version_field: str = "version",
) -> M:
    """Write `values` to row `pk` only if its `version_field` is `expected_version`, move
    the version on, and return the row as now stored (read with `queryset`, so callers
    choose its select_related). Raises `StaleEdit` carrying that row when the version
    had moved."""
    # A queryset update skips `auto_now`: stamp those fields here, as save() would.
    stamps = {
        field.name: timezone.now()
        for field in queryset.model._meta.concrete_fields
        if getattr(field, "auto_now", False) and field.name not in values
    }
    updated = queryset.filter(pk=pk, **{version_field: expected_version}).update(
        **values, **stamps, **{version_field: F(version_field) + 1}
    )
    current = queryset.get(pk=pk)
    if not updated:
        raise StaleEdit(current)
    return current
