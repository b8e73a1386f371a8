"""A cycle as CSV (one row per key result) and as JSON (the whole tree), streamed.

Both are generators: the response starts at once and memory stays flat however many
teams the cycle has. Other apps add to each objective in the JSON (the check-ins and
experiments) from `checkins.exports`: this layer composes both apps.
"""

import csv
import json
from collections.abc import Iterator

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from checkins import exports as checkin_exports
from core.numbers import json_number, plain_number
from okrs import review_selectors
from okrs.models import Cycle, KeyResult, Objective
from okrs.progress import objective_progress

# The CSV's header row, in the reader's language (English keeps the names scripts read).
CSV_COLUMNS = [
    pgettext_lazy("CSV column", "team"),
    pgettext_lazy("CSV column", "objective"),
    pgettext_lazy("CSV column", "objective_state"),
    pgettext_lazy("CSV column", "key_result"),
    pgettext_lazy("CSV column", "kind"),
    pgettext_lazy("CSV column", "unit"),
    pgettext_lazy("CSV column", "start"),
    pgettext_lazy("CSV column", "target"),
    pgettext_lazy("CSV column", "current"),
    pgettext_lazy("CSV column", "progress"),
    pgettext_lazy("CSV column", "confidence"),
    pgettext_lazy("CSV column", "score"),
    pgettext_lazy("CSV column", "score_reason"),
]

# A cell that starts with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(text: str) -> str:
    """User text as a spreadsheet shows it: a leading quote defuses formulas."""
    text = str(text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns the line instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def _csv_row(kr: KeyResult) -> list[str]:
    objective = kr.objective
    team = objective.team.name if objective.team_id else _("Company")
    return [
        safe_cell(team),
        safe_cell(objective.title),
        objective.state,
        safe_cell(kr.title),
        kr.kind,
        safe_cell(kr.unit),
        plain_number(kr.start_value),
        plain_number(kr.target_value),
        plain_number(kr.current_value),
        str(kr.progress),
        "" if kr.confidence is None else str(kr.confidence),
        plain_number(kr.score),
        safe_cell(kr.score_reason),
    ]


def cycle_csv(cycle: Cycle, *, language: str | None = None) -> Iterator[str]:
    """The cycle's key results as CSV lines (UTF-8 with a BOM, so spreadsheets read it)."""
    # Streamed after the view returned: the rows keep the language of the request.
    with translation.override(language or settings.LANGUAGE_CODE):
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow([str(column) for column in CSV_COLUMNS])
        for kr in review_selectors.export_key_results(cycle):
            yield writer.writerow(_csv_row(kr))


def _person(user) -> str | None:
    return None if user is None else str(user)


def _key_result(kr: KeyResult) -> dict:
    return {
        "id": kr.pk,
        "title": kr.title,
        "kind": kr.kind,
        "unit": kr.unit,
        "start": json_number(kr.start_value),
        "target": json_number(kr.target_value),
        "current": json_number(kr.current_value),
        "progress": kr.progress,
        "confidence": kr.confidence,
        "owner": _person(kr.owner),
        "score": json_number(kr.score),
        "score_reason": kr.score_reason,
        "history": [
            {
                "week": update.week_start.isoformat(),
                "value": json_number(update.value),
                "confidence": update.confidence,
                "comment": update.comment,
                "by": _person(update.author),
                "at": update.created_at.isoformat(),
            }
            for update in kr.updates.all()
        ],
    }


def _objective(objective: Objective, extras: dict) -> dict:
    key_results = list(objective.key_results.all())
    retrospective = getattr(objective, "retrospective", None)
    data = {
        "id": objective.pk,
        "level": objective.level,
        "team": objective.team.name if objective.team_id else None,
        "title": objective.title,
        "context": objective.context,
        "state": objective.state,
        "aligned_to": objective.aligned_to_id,
        "carried_from": objective.carried_from_id,
        "progress": objective_progress(kr.progress for kr in key_results),
        "score": json_number(review_selectors.objective_score(key_results)),
        "key_results": [_key_result(kr) for kr in key_results],
        "retrospective": None
        if retrospective is None
        else {
            "learned": retrospective.learned,
            "keep": retrospective.keep,
            "change": retrospective.change,
            "try_next": retrospective.try_next,
        },
    }
    data.update(extras.get(objective.pk, {}))
    return data


def _extras(objectives: list[Objective]) -> dict[int, dict]:
    """Each objective's check-ins and experiments, in two queries a batch."""
    return checkin_exports.objective_extras(objectives)


# <, > and & written as \u escapes: still the same JSON, but nothing a browser that
# sniffs it could take for markup.
_JSON_HTML_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _dumps(data) -> str:
    return json.dumps(data).translate(_JSON_HTML_ESCAPES)


def cycle_json(cycle: Cycle) -> Iterator[str]:
    """The whole cycle as one JSON document, written objective by objective."""
    head = {
        "cycle": {
            "id": cycle.pk,
            "name": cycle.name,
            "start_date": cycle.start_date.isoformat(),
            "end_date": cycle.end_date.isoformat(),
            "status": cycle.status,
        }
    }
    yield _dumps(head)[:-1] + ', "objectives": ['
    first = True
    for batch in review_selectors.export_objectives(cycle):
        extras = _extras(batch)
        for objective in batch:
            yield ("" if first else ",") + _dumps(_objective(objective, extras))
            first = False
    yield "]}"
