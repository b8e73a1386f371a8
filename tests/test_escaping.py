"""Markup, template syntax and htmx attributes typed into every user-editable text field
are shown as text on every page (and in every HTML email), never run."""

import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from okrs.models import Objective
from tests.fixtures.okrs import retro_post, score_post
from tests.helpers import HX, ROOT, signed_in
from tests.permissions import PERMISSIONS, build_world
from tests.test_permissions import url_for

# What must never reach a page unescaped.
RAW = ("<script>alert(", "<img src=x", 'hx-get="/x"', "<b hx-")


def payload(tag: str) -> str:
    return (
        f'<script>alert("{tag}")</script>"><img src=x onerror=alert(1)>'
        f'{{{{ 7*7 }}}} <b hx-get="/x">{tag}</b>'
    )


SHORT = '"><img src=x onerror=u>'  # for the 30-character unit


def _ok(response, what: str) -> None:
    assert response.status_code < 400, f"{what}: {response.status_code}"
    if response.status_code == 302:
        assert "/accounts/login/" not in response["Location"], what


@pytest.mark.slow  # every page, as two roles, with and without htmx
@pytest.mark.django_db
def test_user_text_is_shown_as_text_everywhere(
    team, lead, member, leader, django_capture_on_commit_callbacks
):
    world = build_world(team=team, lead=lead, member=member, leader=leader)
    leader_client, member_client = signed_in(leader), signed_in(member)
    written: dict[str, str] = {}

    def write(client, url: str, data: dict, what: str, **extra) -> None:
        _ok(client.post(url, data, **extra), what)

    def p(tag: str) -> str:
        written[tag] = payload(tag)
        return written[tag]

    cycle, company, company_kr = world.cycle, world.company_objective, world.company_key_result
    objective, kr = world.objective, world.key_result
    with django_capture_on_commit_callbacks(execute=True):
        write(
            leader_client,
            reverse("teams:team-edit", args=[team.slug]),
            {"name": p("team"), "slug": team.slug, "purpose": p("purpose")},
            "team",
        )
        write(
            leader_client,
            reverse("okrs:cycle-edit", args=[cycle.pk]),
            {"name": p("cycle"), "start_date": cycle.start_date, "end_date": cycle.end_date},
            "cycle",
        )
        write(
            leader_client,
            reverse("okrs:objective-edit", args=[company.pk]),
            {"title": p("company"), "context": p("company-context"), "version": company.version},
            "company objective",
        )

        def key_result_data(key_result, tag):
            prefix = f"kr{key_result.pk}"
            return {
                f"{prefix}-title": p(tag),
                f"{prefix}-kind": "increase",
                f"{prefix}-start_value": "0",
                f"{prefix}-target_value": "100",
                f"{prefix}-current_value": "20",
                f"{prefix}-unit": SHORT,
                f"{prefix}-version": key_result.version,
                # Asked only once a team's key results are committed.
                **({f"{prefix}-reason": p(f"{tag}-reason")} if tag == "kr" else {}),
            }

        write(
            leader_client,
            reverse("okrs:key-result-edit", args=[company_kr.pk]),
            key_result_data(company_kr, "company-kr"),
            "company key result",
        )
        write(
            leader_client,
            reverse("okrs:objective-edit", args=[objective.pk]),
            {
                "title": p("objective"),
                "context": p("objective-context"),
                "aligned_to": company_kr.pk,
                "version": objective.version,
            },
            "team objective",
        )
        write(
            member_client,
            reverse("okrs:key-result-edit", args=[kr.pk]),
            key_result_data(kr, "kr"),
            "team key result",
        )
        write(
            member_client,
            reverse("okrs:key-result-record", args=[kr.pk]),
            {f"record{kr.pk}-value": "30", f"record{kr.pk}-comment": p("record")},
            "record",
        )
        write(
            member_client,
            reverse("okrs:comment-create", args=[objective.pk]),
            {"comment-body": p("comment")},
            "comment",
        )
        # A challenge, on Payments' submitted key results.
        Objective.objects.filter(pk=world.other_objective.pk).update(state="submitted")
        write(
            leader_client,
            reverse("okrs:team-objective-challenge", args=[world.other_objective.pk]),
            {"challenge-aspects": ["ambition"], "challenge-body": p("challenge")},
            "challenge",
        )
        save = reverse("checkins:save", args=[team.slug, world.week])
        for field in ("happened", "next_step", "expectation", "learn_by"):
            write(member_client, save, {"field": field, field: p(field)}, field)
        entry = f"entry-{kr.pk}-comment"
        write(member_client, save, {"field": entry, entry: p("entry")}, "entry comment")
        write(
            member_client,
            reverse("checkins:obstacle-create", args=[team.slug]),
            {"obstacle-description": p("obstacle"), "obstacle-help_team": world.other_team.name},
            "obstacle",
        )
        write(
            member_client,
            reverse("checkins:obstacle-answer", args=[world.help_request.pk]),
            {f"answer{world.help_request.pk}-answer": p("answer")},
            "answer",
        )
        write(
            member_client,
            reverse("checkins:experiment-edit", args=[world.experiment.pk]),
            {
                "key_result": kr.pk,
                "belief": p("belief"),
                "outcome": p("outcome"),
                "signal": p("signal"),
                "status": "running",
                "result": p("result"),
                "learning": p("learning"),
                "version": world.experiment.version,
            },
            "experiment",
        )
        kr.refresh_from_db()
        write(
            member_client,
            reverse("okrs:key-result-score", args=[kr.pk]),
            score_post(kr, "0.1", p("score-reason")),
            "score",
        )
        write(
            member_client,
            reverse("okrs:retrospective-edit", args=[objective.pk]),
            retro_post(
                learned=p("retro-learned"),
                keep=p("retro-keep"),
                change=p("retro-change"),
                try_next=p("retro-try-next"),
            ),
            "retrospective",
        )
        write(
            member_client,
            reverse("teams:settings"),
            {"name": p("user"), "time_zone": "Europe/Amsterdam"},
            "user name",
        )
        write(
            Client(),
            reverse("teams:invitation-accept", args=[world.invitation_token]),
            {
                "name": p("invitee"),
                "password": "a-long-passphrase-1",
                "password_again": "a-long-passphrase-1",
            },
            "invitation",
        )

    pages: dict[str, str] = {}
    downloads: dict[str, str] = {}
    for client, role in ((leader_client, "leader"), (member_client, "member")):
        for name, access in PERMISSIONS.items():
            if access.get is None or role not in access.get or name == "checkins:current":
                continue
            for other in (False, True):
                path = url_for(name, access, world, other=other)
                for htmx in (False, True):
                    headers = HX if htmx else {}
                    response = client.get(path, **headers)
                    assert response.status_code < 500, path
                    if not response["Content-Type"].startswith("text/html"):
                        # Downloads (CSV, JSON) are data, not pages: checked below.
                        body = (
                            b"".join(response.streaming_content)
                            if response.streaming
                            else response.content
                        )
                        downloads[path] = body.decode()
                        continue
                    pages[f"{role} {'htmx ' if htmx else ''}{path}"] = response.content.decode()
    for page, body in pages.items():
        raw = [marker for marker in RAW if marker in body]
        assert not raw, f"{page} shows {raw} unescaped"
    everything = "\n".join(pages.values())
    unseen = [tag for tag, text in written.items() if escape(text) not in everything]
    assert not unseen, f"no page shows these fields (escaped): {unseen}"
    assert escape(SHORT) in everything
    assert "{{ 7*7 }}" in everything

    # The JSON export carries the text as it was typed, with <, > and & as \u escapes
    # (nothing a browser could take for markup); the CSV is plain text by nature.
    (exported,) = [body for path, body in downloads.items() if path.endswith(".json")]
    assert "<" not in exported and ">" not in exported
    learned = [
        (objective["retrospective"] or {}).get("learned")
        for objective in json.loads(exported)["objectives"]
    ]
    assert written["retro-learned"] in learned

    html_parts = [content for message in mail.outbox for content, kind in message.alternatives]
    assert html_parts, "the writes above email the team"
    for html in html_parts:
        assert not [marker for marker in RAW if marker in html], html


# --- no |safe or mark_safe on user text ---------------------------------------------

# Reviewed uses that mark server-built markup safe (no user text unescaped in them).
REVIEWED_SAFE_MARKUP = {
    # "path/to/file.py": "why it is safe",
    "dashboard/team_page.py": "a cached team page (the template's escaped output) with the "
    "request's CSRF token ([A-Za-z0-9]) put in place of a placeholder",
}
UNSAFE_PYTHON = re.compile(r"\bmark_safe\(|\bSafeString\(|\bSafeText\(|\|safe\b|autoescape off")


def test_python_code_never_marks_text_safe_outside_reviewed_places():
    offenders = []
    for app in ("config", "teams", "okrs", "checkins"):
        for path in (ROOT / app).rglob("*.py"):
            relative = str(path.relative_to(ROOT))
            if "migrations" in relative or relative in REVIEWED_SAFE_MARKUP:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if UNSAFE_PYTHON.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, (
        "Markup marked safe in Python: build it with format_html() (which escapes its "
        "arguments) or in a template, or review it and list it in REVIEWED_SAFE_MARKUP:\n"
        + "\n".join(offenders)
    )


def test_format_html_is_never_given_a_preformatted_string():
    """format_html("...{}...".format(x)) or an f-string escapes nothing."""
    offenders = []
    pattern = re.compile(r"format_html\(\s*f[\"']|format_html\([^)]*\.format\(|format_html\([^)]*%")
    for app in ("config", "teams", "okrs", "checkins"):
        for path in (ROOT / app).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_html_templates_turn_autoescape_off_only_for_plain_text_emails():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if "autoescape off" in path.read_text() or "|safe" in path.read_text()
    ]
    assert offenders == []
