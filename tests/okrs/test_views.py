from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from okrs.models import Cycle, KeyResult, Objective
from tests.factories import (
    CompanyObjectiveFactory,
    CycleFactory,
    KeyResultFactory,
)
from tests.helpers import HX, ROLES, prefixed, role_of

pytestmark = pytest.mark.django_db

NOT_LEADERS = ["outsider", "member", "lead"]
# A cycle starts within five years of today (okrs.models.MAX_YEARS_AWAY): the tests that
# create cycles of 2027 run in late 2026, their fixtures (signing in) too.
LATE_2026 = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture
def kr():
    return KeyResultFactory(
        objective__cycle__status=Cycle.Status.ACTIVE,
        title="Net promoter score rises",
        start_value=D(21),
        target_value=D(45),
        current_value=D(29),
        unit="NPS",
    )


def kr_post(kr=None, prefix=None, **overrides):
    prefix = prefix or (f"kr{kr.pk}" if kr else "new")
    values = {
        "title": "Net promoter score rises",
        "kind": "increase",
        "start_value": "21",
        "target_value": "50",
        "current_value": "30",
        "unit": "NPS",
        "owner": "",
        "version": str(kr.version) if kr else "",
    }
    values.update(overrides)
    return prefixed(prefix, values)


# --- who may see and do what ---------------------------------------------------------


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_home_shows_the_company_okr_to_everyone_signed_in(role_client, request, kr):
    response = role_client.get("/")
    role = role_of(request)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert kr.objective.title in html
    assert "Net promoter score rises" in html
    assert 'value="33"' in html  # progress 21→45 at 29
    edit_url = reverse("okrs:key-result-edit", args=[kr.pk])
    assert (edit_url in html) is (role == "leader")


@pytest.mark.dates(at=LATE_2026)
@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_only_leaders_create_cycles(role_client, request):
    role = role_of(request)
    url = reverse("okrs:cycle-create")
    data = {"name": "Q1 2027", "start_date": "2027-01-01", "end_date": "2027-03-31"}
    response = role_client.post(url, data)
    expected = {"anonymous": 302, "leader": 302}.get(role, 403)
    assert response.status_code == expected
    assert Cycle.objects.filter(name="Q1 2027").exists() is (role == "leader")


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_only_leaders_edit_key_results(role_client, request, kr):
    role = role_of(request)
    url = reverse("okrs:key-result-edit", args=[kr.pk])
    assert role_client.get(url).status_code == {"anonymous": 302, "leader": 200}.get(role, 403)
    response = role_client.post(url, kr_post(kr, current_value="44"))
    assert response.status_code == {"anonymous": 302, "leader": 302}.get(role, 403)
    kr.refresh_from_db()
    assert (kr.current_value == D(44)) is (role == "leader")


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_only_leaders_add_remove_and_reorder(role_client, request, kr):
    role = role_of(request)
    other = KeyResultFactory(objective=kr.objective, position=kr.position + 1)
    expected = {"anonymous": 302, "leader": 302}.get(role, 403)
    create = reverse("okrs:key-result-create", args=[kr.objective.pk])
    assert role_client.post(create, kr_post(title="Paid within a week")).status_code == expected
    move = reverse("okrs:key-result-move", args=[other.pk])
    assert role_client.post(move, {"direction": "up"}).status_code == expected
    delete = reverse("okrs:key-result-delete", args=[kr.pk])
    assert role_client.post(delete).status_code == expected
    titles = list(kr.objective.key_results.values_list("title", flat=True))
    if role == "leader":
        assert titles == [other.title, "Paid within a week"]
    else:
        assert titles == [kr.title, other.title]


@pytest.mark.parametrize("role_client", NOT_LEADERS, indirect=True)
def test_non_leaders_cannot_write_or_activate(role_client):
    cycle = CycleFactory()
    for url in [
        reverse("okrs:company-objective-create", args=[cycle.pk]),
        reverse("okrs:cycle-activate", args=[cycle.pk]),
        reverse("okrs:cycle-edit", args=[cycle.pk]),
    ]:
        assert role_client.post(url, {"title": "Mine", "name": "x"}).status_code == 403
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PLANNING
    assert not Objective.objects.exists()


def test_reading_pages_are_open_to_members(client_for, member, kr):
    client = client_for(member)
    assert client.get(reverse("okrs:cycle-list")).status_code == 200
    page = client.get(reverse("okrs:cycle-detail", args=[kr.objective.cycle_id]))
    assert page.status_code == 200
    assert "Edit objective" not in page.content.decode()


def test_unsafe_methods_are_refused_on_read_pages(client_for, leader, kr):
    client = client_for(leader)
    assert (
        client.post(reverse("okrs:cycle-detail", args=[kr.objective.cycle_id])).status_code == 405
    )
    assert client.get(reverse("okrs:key-result-move", args=[kr.pk])).status_code == 405


def test_csrf_is_enforced(client_for, leader, kr):
    client = client_for(leader, enforce_csrf_checks=True)
    response = client.post(reverse("okrs:key-result-delete", args=[kr.pk]))
    assert response.status_code == 403
    assert KeyResult.objects.filter(pk=kr.pk).exists()


# --- the leader's journey without JavaScript -------------------------------------------


@pytest.mark.dates(at=LATE_2026)
def test_leader_opens_a_cycle_and_writes_the_company_okr(client_for, leader):
    client = client_for(leader)
    response = client.post(
        reverse("okrs:cycle-create"),
        {"name": "Q1 2027", "start_date": "2027-01-01", "end_date": "2027-03-31"},
    )
    cycle = Cycle.objects.get()
    assert response["Location"] == reverse("okrs:cycle-detail", args=[cycle.pk])
    response = client.post(
        reverse("okrs:company-objective-create", args=[cycle.pk]),
        {"title": "Customers recommend us", "context": "Ads got expensive."},
    )
    assert response.status_code == 302
    objective = Objective.objects.get(cycle=cycle, level="company")
    client.post(reverse("okrs:key-result-create", args=[objective.pk]), kr_post(title="NPS"))
    client.post(reverse("okrs:cycle-activate", args=[cycle.pk]))
    home = client.get("/").content.decode()
    assert "Customers recommend us" in home and "NPS" in home


def test_a_second_company_objective_shows_a_message_not_a_500(client_for, leader):
    objective = CompanyObjectiveFactory()
    response = client_for(leader).post(
        reverse("okrs:company-objective-create", args=[objective.cycle_id]),
        {"title": "Another one", "context": ""},
    )
    assert response.status_code == 422
    assert "already has its company objective" in response.content.decode()
    assert Objective.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target_value": "21"}, "must differ from the start"),
        ({"current_value": "lots"}, "Enter a number."),
        ({"current_value": "NaN"}, "Enter a number."),
        ({"title": "x" * 10_000}, "at most 200 characters"),
        ({"title": "NPS\x00rises"}, "Null characters are not allowed."),
        ({"kind": "sideways"}, "Select a valid choice."),
    ],
)
def test_bad_key_result_input_is_explained_and_changes_nothing(
    client_for, leader, kr, overrides, message
):
    before = KeyResult.objects.values().get(pk=kr.pk)
    response = client_for(leader).post(
        reverse("okrs:key-result-edit", args=[kr.pk]), kr_post(kr, **overrides)
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert KeyResult.objects.values().get(pk=kr.pk) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Q1", "start_date": "2027-03-31", "end_date": "2027-01-01"}, "after the start"),
        ({"name": "Q1", "start_date": "someday", "end_date": "2027-01-01"}, "Enter a valid date"),
        ({"name": "Q\x001", "start_date": "2027-01-01", "end_date": "2027-03-31"}, "Null char"),
    ],
)
def test_bad_cycle_input_is_explained(client_for, leader, data, message):
    response = client_for(leader).post(reverse("okrs:cycle-create"), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Cycle.objects.exists()


def test_user_text_is_escaped(client_for, member):
    KeyResultFactory(
        objective__cycle__status=Cycle.Status.ACTIVE,
        objective__title="<script>alert(1)</script>",
        title="<img src=x onerror=alert(2)>",
    )
    html = client_for(member).get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


# --- htmx fragments ---------------------------------------------------------------------


def test_edit_form_is_a_fragment_for_htmx(client_for, leader, kr):
    response = client_for(leader).get(reverse("okrs:key-result-edit", args=[kr.pk]), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="key-result-{kr.pk}"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(client_for, leader, kr):
    response = client_for(leader).get(
        reverse("okrs:key-result-edit", args=[kr.pk]),
        **HX,
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in response.content.decode()


def test_htmx_save_returns_the_refreshed_company_okr(client_for, leader, kr):
    response = client_for(leader).post(
        reverse("okrs:key-result-edit", args=[kr.pk]), kr_post(kr, current_value="50"), **HX
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#company-okr"
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="company-okr"')
    assert 'value="100"' in html


def test_htmx_invalid_input_returns_the_form_with_422(client_for, leader, kr):
    response = client_for(leader).post(
        reverse("okrs:key-result-edit", args=[kr.pk]), kr_post(kr, target_value="x"), **HX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="key-result-{kr.pk}"')
    assert "Enter a number." in html


def test_htmx_add_remove_and_move(client_for, leader, kr):
    client = client_for(leader)
    response = client.post(
        reverse("okrs:key-result-create", args=[kr.objective.pk]),
        kr_post(title="Paid within a week"),
        **HX,
    )
    assert response.status_code == 200 and "Paid within a week" in response.content.decode()
    added = KeyResult.objects.get(title="Paid within a week")
    response = client.post(
        reverse("okrs:key-result-move", args=[added.pk]), {"direction": "up"}, **HX
    )
    html = response.content.decode()
    assert html.index("Paid within a week") < html.index("Net promoter score rises")
    response = client.post(reverse("okrs:key-result-delete", args=[added.pk]), **HX)
    section, notice = response.content.decode().split('<div id="messages"')
    assert "Paid within a week" not in section
    assert "Key result “Paid within a week” removed." in notice


# --- two leaders, one key result ---------------------------------------------------------


def test_a_stale_edit_gets_409_and_the_current_values(client_for, leader, kr):
    from tests.factories import UserFactory

    other_leader = client_for(UserFactory(is_leader=True))
    url = reverse("okrs:key-result-edit", args=[kr.pk])
    stale_version = kr.version
    assert other_leader.post(url, kr_post(kr, current_value="40")).status_code == 302

    response = client_for(leader).post(url, kr_post(kr, current_value="31"), **HX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this key result" in html
    assert "<td>40</td>" in html  # the current value is shown
    assert 'value="31"' in html  # the editor's value is kept in the form
    kr.refresh_from_db()
    assert kr.current_value == D(40)
    # Saving again from the rebased form is a deliberate overwrite.
    assert f'value="{stale_version + 1}"' in html
    again = client_for(leader).post(url, kr_post(kr, current_value="31"))
    assert again.status_code == 302
    kr.refresh_from_db()
    assert kr.current_value == D(31)


def test_a_stale_objective_edit_gets_409(client_for, leader, kr):
    objective = kr.objective
    url = reverse("okrs:objective-edit", args=[objective.pk])
    client = client_for(leader)
    client.post(url, {"title": "Newer", "context": "", "version": "1"})
    response = client.post(url, {"title": "Older", "context": "", "version": "1"})
    assert response.status_code == 409
    objective.refresh_from_db()
    assert objective.title == "Newer"


# --- empty states and query counts --------------------------------------------------------


def test_without_a_cycle_leaders_are_shown_how_to_start(client_for, leader, member):
    assert "Open a cycle" in client_for(leader).get("/").content.decode()
    html = client_for(member).get("/").content.decode()
    assert "Planning has not begun" in html and "Open a cycle" not in html


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
def test_leaders_record_company_key_result_updates(role_client, request, kr):
    role = role_of(request)
    url = reverse("okrs:key-result-record", args=[kr.pk])
    data = {
        f"record{kr.pk}-value": "33",
        f"record{kr.pk}-confidence": "7",
        f"record{kr.pk}-comment": "Survey closed",
    }
    response = role_client.post(url, data)
    assert response.status_code == {"anonymous": 302, "leader": 302}.get(role, 403)
    kr.refresh_from_db()
    if role == "leader":
        assert (kr.current_value, kr.confidence) == (D(33), 7)
        update = kr.updates.get()
        assert (update.value, update.confidence, update.comment) == (D(33), 7, "Survey closed")
    else:
        assert kr.current_value == D(29) and not kr.updates.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("value", "many", "Enter a number."), ("confidence", "11", "less than or equal to 10")],
)
def test_bad_updates_are_explained(client_for, leader, kr, field, value, message):
    data = {f"record{kr.pk}-value": "33", f"record{kr.pk}-confidence": "5"}
    data[f"record{kr.pk}-{field}"] = value
    response = client_for(leader).post(reverse("okrs:key-result-record", args=[kr.pk]), data, **HX)
    assert response.status_code == 422 and message in response.content.decode()
    assert not kr.updates.exists()


def test_editing_the_current_value_also_lands_in_the_history(client_for, leader, kr):
    client_for(leader).post(
        reverse("okrs:key-result-edit", args=[kr.pk]), kr_post(kr, current_value="35")
    )
    assert list(kr.updates.values_list("value", flat=True)) == [D(35)]
