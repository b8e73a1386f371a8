"""Every page and every email in Dutch and German: nothing a person reads stays English.

Each page of the URL list (the permission table's, as the security tests walk it) is
rendered in English and in each other language, for a role that may read it; a text
that is the same in both renderings fails, unless it is made only of names, numbers,
what people typed and words that the languages share (tests/i18n/english_left.py)."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from checkins.emails import unsubscribe_url
from okrs import selectors as okr_selectors
from okrs.models import Comment
from tests.helpers import signed_in
from tests.i18n.english_left import left_in_english, texts, user_texts
from tests.permissions import PERMISSIONS, build_world, url_name
from tests.test_permissions import url_for

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

OTHER_LANGUAGES = ["nl", "de"]
# Who reads a page: the first of these the permission table lets in.
READERS = ["leader", "lead", "member", "outsider", "anonymous"]
# Routes without a page of words: each is checked where it has something to read.
NOT_PAGES = {
    "checkins:current": "a redirect to this week's check-in (checkins:week is walked)",
    "dashboard:cycle-export-csv": "a file: its header row has its own test below",
    "dashboard:cycle-export-json": "JSON, whose keys stay English",
    "healthz": "JSON for the load balancer",
    "set_language": "a redirect after setting the language (tested in test_who_reads_...)",
    "api-docs": "Swagger UI's own page (django-ninja's, in English), for developers",
    "sso-start": "a redirect to the identity provider",
    "sso-callback": "the provider's way back: a redirect, or the refusal page (tests/teams/sso)",
}
PAGES = sorted(
    entry
    for entry, access in PERMISSIONS.items()
    if access.get and url_name(entry) not in NOT_PAGES
)


@pytest.fixture
def world(team, lead, member, leader):
    return build_world(team=team, lead=lead, member=member, leader=leader)


def test_the_walk_covers_the_pages():
    assert {"home", "checkins:week", "dashboard:team-detail", "teams:settings"} <= {
        url_name(entry) for entry in PAGES
    }
    assert set(NOT_PAGES) <= {url_name(entry) for entry in PERMISSIONS}, "a stale exception"


@pytest.mark.parametrize("entry", PAGES)
def test_every_page_is_translated(entry, world, users_by_role):
    access = PERMISSIONS[entry]
    path = url_for(entry, access, world)
    for role in (role for role in READERS if role in access.get):
        # The first reader shown a page (a signed-in person is sent on from sign-in).
        client = signed_in(users_by_role[role])
        english = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        if english.status_code == 200:
            break
    assert english.status_code == 200, f"{path} shows no page to any reader"
    html = english["Content-Type"].startswith("text/html")
    people_wrote = user_texts()
    for language in OTHER_LANGUAGES:
        translated = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert translated.status_code == 200, f"{path} in {language}"
        assert translated["Content-Language"] == language
        if html and "<html" in english.text:  # a whole page, not an htmx fragment
            assert f'<html lang="{language}" dir="ltr">' in translated.text
        left = left_in_english(
            texts(english.text, html=html), texts(translated.text, html=html), people_wrote
        )
        assert not left, f"{path} as {role} in {language} still reads English: {sorted(left)}"


def test_the_exports_name_their_columns_in_the_language(world, users_by_role):
    client = signed_in(users_by_role["leader"])
    path = f"/cycles/{world.cycle.pk}/export.csv"
    english = b"".join(client.get(path, HTTP_ACCEPT_LANGUAGE="en").streaming_content)
    dutch = b"".join(client.get(path, HTTP_ACCEPT_LANGUAGE="nl").streaming_content)
    assert english.decode("utf-8-sig").startswith("team,objective,objective_state,key_result")
    assert dutch.decode("utf-8-sig").startswith("team,doelstelling,status_doelstelling")


def email_contexts(world, leader, member, lead):
    """Every email's templates with everything they can show."""
    okr = okr_selectors.company_okr_get(cycle=world.cycle)
    challenge = Comment(
        objective=world.objective,
        author=leader,
        kind=Comment.Kind.CHALLENGE,
        body="Aim higher.",
        aspects=["ambition", "alignment"],
    )
    remark = Comment(
        objective=world.objective, author=None, kind=Comment.Kind.COMMENT, body="Nice."
    )
    answered = world.help_request
    answered.help_answer, answered.answered_by = "Here is how.", lead
    common = {
        "user": member,
        "team": world.team,
        "objective": world.objective,
        "key_results": list(world.objective.key_results.all()),
        "url": "https://okrs.example.com/x/",
        "week": world.week,
        "site_url": "https://okrs.example.com",
        "unsubscribe_url": unsubscribe_url(member, "reminder"),
    }
    return {
        "added_to_team": {**common, "membership": world.membership, "team_url": "/t/"},
        "comment_posted (challenge)": {**common, "comment": challenge},
        "comment_posted (comment)": {**common, "comment": remark},
        "digest": {
            **common,
            "cycle": world.cycle,
            "okr": okr,
            "checked_in": [world.team],
            "missed": [],
            "signals": [(world.team, type("Signal", (), {"text": "Kept as is"})())],
        },
        "help_answered": {**common, "obstacle": answered},
        "help_requested": {**common, "obstacle": world.help_request},
        "invitation": {**common, "inviter": None, "accept_url": "/accept/"},
        "nudge": common,
        "objective_committed": common,
        "objective_defined": common,
        "objective_proposed": common,
        "objective_submitted": common,
        "password_reset": {**common, "email": member.email, "uid": "MQ", "token": "t-1"},
        "reminder": common,
        "webhook_paused": {**common, "endpoint": world.endpoint},
    }


def render_email(name: str, context: dict, language: str) -> dict[str, str]:
    template = name.split(" ")[0]
    with translation.override(language):
        return {
            part: render_to_string(f"emails/{template}-{part}", context)
            for part in ("subject.txt", "body.txt", "body.html")
        }


def test_every_email_is_translated(world, leader, member, lead):
    from pathlib import Path

    from django.conf import settings

    contexts = email_contexts(world, leader, member, lead)
    names = {
        path.name.rsplit("-", 1)[0]
        for path in Path(settings.BASE_DIR, "templates", "emails").iterdir()
    }
    assert names == {name.split(" ")[0] for name in contexts}, "an email has no context here"
    people_wrote = user_texts() + ["Kept as is", "Aim higher.", "Nice.", "Here is how."]
    for name, context in contexts.items():
        english = render_email(name, context, "en")
        for language in OTHER_LANGUAGES:
            translated = render_email(name, context, language)
            assert f'<html lang="{language}" dir="ltr">' in translated["body.html"]
            for part in english:
                html = part.endswith(".html")
                left = left_in_english(
                    texts(english[part], html=html),
                    texts(translated[part], html=html),
                    people_wrote,
                )
                assert not left, f"{name} {part} in {language} still reads English: {left}"
