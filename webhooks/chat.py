"""Readable messages for chat incoming webhooks (Slack, Microsoft Teams), built from a
delivery's payload when it is sent: the check-in with each key result's value and
confidence, the committed objective, one line for the rest."""

from typing import Any

from django.utils.translation import gettext as _

from core.events import Event
from webhooks.models import TEST_EVENT


def _plain(text: str, *, slack: bool) -> str:
    # Slack's mrkdwn wants &, < and > escaped in text (a "<" would start a link).
    if slack:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _link(url: str, text: str, *, slack: bool) -> str:
    # Teams reads Markdown links.
    if slack:
        return f"<{url}|{_plain(text, slack=True)}>"
    text = text.replace("[", "(").replace("]", ")")
    return f"[{text}]({url})"


def _number(value) -> str:
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _lines(payload: dict[str, Any], *, slack: bool) -> list[str]:
    event, data = payload["type"], payload["data"]
    team = data.get("team") or {}
    team_link = _link(team["url"], team["name"], slack=slack) if team else _("The company")
    objective = data.get("objective")
    objective_link = _link(objective["url"], objective["title"], slack=slack) if objective else ""
    if event == Event.CHECKIN_SUBMITTED:
        checkin = data["checkin"]
        lines = [
            _("%(team)s submitted its check-in for %(week)s:")
            % {"team": team_link, "week": _link(checkin["url"], checkin["week"], slack=slack)}
        ]
        for kr in data["key_results"]:
            lines.append(
                "• "
                + _("%(title)s: %(value)s%(unit)s of %(target)s%(unit)s, confidence %(conf)s/10")
                % {
                    "title": _plain(kr["title"], slack=slack),
                    "value": _number(kr["value"]),
                    "target": _number(kr["target"]),
                    "unit": f" {_plain(kr['unit'], slack=slack)}" if kr["unit"] else "",
                    "conf": _number(kr["confidence"]),
                }
            )
        return lines
    if event == Event.OBJECTIVE_COMMITTED:
        return [
            _("The leaders committed %(team)s's key results for %(objective)s.")
            % {"team": team_link, "objective": objective_link}
        ]
    if event == Event.OBJECTIVE_SUBMITTED:
        return [
            _("%(team)s submitted %(objective)s for review.")
            % {"team": team_link, "objective": objective_link}
        ]
    if event == Event.OBJECTIVE_CHALLENGED:
        return [
            _("The leaders challenged %(team)s's %(objective)s.")
            % {"team": team_link, "objective": objective_link}
        ]
    if event == Event.KEY_RESULT_VALUE_RECORDED:
        kr = data["key_result"]
        return [
            _("%(team)s recorded %(value)s for %(kr)s (confidence %(conf)s/10).")
            % {
                "team": team_link,
                "value": _number(kr["value"])
                + (f" {_plain(kr['unit'], slack=slack)}" if kr["unit"] else ""),
                "kr": _link(kr["url"], kr["title"], slack=slack),
                "conf": _number(kr["confidence"]),
            }
        ]
    if event in (Event.HELP_REQUESTED, Event.HELP_ANSWERED):
        helper = data["help_team"]
        text = (
            _("%(team)s asked %(helper)s for help.")
            if event == Event.HELP_REQUESTED
            else _("%(helper)s answered %(team)s's request for help.")
        )
        return [
            text % {"team": team_link, "helper": _link(helper["url"], helper["name"], slack=slack)}
        ]
    if event in (Event.CYCLE_REVIEW_STARTED, Event.CYCLE_CLOSED):
        cycle = data["cycle"]
        text = (
            _("The review of %(cycle)s has started.")
            if event == Event.CYCLE_REVIEW_STARTED
            else _("%(cycle)s is closed.")
        )
        return [text % {"cycle": _link(cycle["url"], cycle["name"], slack=slack)}]
    if event == TEST_EVENT:
        return [_("A test message from Lean OKRs: this webhook works.")]
    return [event]


def message(format: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The JSON a Slack ("slack") or Microsoft Teams ("teams") incoming webhook posts."""
    if format == "slack":
        return {"text": "\n".join(_lines(payload, slack=True))}
    text = "\n\n".join(_lines(payload, slack=False))
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": text.splitlines()[0][:200],
        "text": text,
    }
