"""Load for `make bench` (run by bench/run.py).

The isolated runs use `BenchUser`: one target per run, chosen by BENCH_TARGET. Without
BENCH_RATE every simulated user sends its next request as soon as the last one answered
(the server's throughput); with BENCH_RATE the users together send that many requests
per second (latency at a given load).

The check-in morning ("storm") uses the four `Storm*` classes at once, each kind at its
own constant rate (BENCH_STORM: {"home": [rate, users], ...}): leaders watching the
home page, members reading their own team's page, members autosaving key results in
this week's check-in and members opening that check-in page.

At a fixed rate each user starts at a random moment within its first interval, so the
users do not all send in the same instant every second (`spread`).
"""

import json
import os
import random
import re
import time

import gevent
from locust import constant, constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

TARGET = os.environ.get("BENCH_TARGET", "storm")
with open(os.environ["BENCH_PLAN_FILE"]) as plan_file:  # written by bench/run.py
    PLAN = json.load(plan_file)
USERS = int(os.environ.get("BENCH_USERS", "1"))
RATE = float(os.environ.get("BENCH_RATE", "0"))
STORED = re.compile(r'name="stored" value="([^"]*)"')
BASE = re.compile(r'__base" value="([^"]*)"')
# What each check-in field holds now: the autosave sends the text it started from.
stored: dict[int, str] = {}


def spread(user, interval: float) -> None:
    """Start `user` at a random moment within its first `interval` and keep that phase.

    locust's constant_throughput counts a user's first interval from the moment the user
    was made, not from the end of on_start: a sleep in on_start alone is taken back by a
    shorter first wait, and every user (all made in the same instant) then sends in the
    same few milliseconds of every interval. 65 requests at once each second is a burst,
    not a rate: the last in the queue waits for the 64 before it."""
    gevent.sleep(random.random() * interval)
    user._cp_last_run = time.perf_counter()  # noqa: SLF001 - constant_throughput's clock
    user._cp_last_wait_time = 0  # noqa: SLF001


class BenchUser(FastHttpUser):
    wait_time = constant_throughput(RATE / USERS) if RATE else constant(0)

    def on_start(self):
        self.headers = {"Cookie": f"sessionid={PLAN['member_session']}; csrftoken={PLAN['csrf']}"}
        if RATE:
            spread(self, USERS / RATE)

    @task
    def hit(self):
        if TARGET == "trivial":
            page(self.client, "/bench/ok", {}, "trivial")
        elif TARGET == "home":
            page(self.client, "/", self.headers, "home")
        elif TARGET == "team":
            slug = random.choice(PLAN["team_slugs"])
            page(self.client, f"/teams/{slug}/", self.headers, "team")
        elif TARGET == "own_team":
            # members reading their own team's page, which is built for them every time
            session, slug, _ = random.choice(PLAN["writers"])
            page(self.client, f"/teams/{slug}/", member(session), "own_team")
        elif TARGET == "kr_update":
            self.autosave_key_result()
        elif TARGET == "api_write":
            api_write(self.client)

    def autosave_key_result(self, name: str = "kr_update"):
        autosave(self.client, name)


def member(session: str) -> dict:
    return {"Cookie": f"sessionid={session}; csrftoken={PLAN['csrf']}"}


def page(client, path: str, headers: dict, name: str) -> None:
    """A page as its reader gets it: anything but a 200 is a failure (a redirect to the
    sign-in page is a session the server did not accept, not a page served)."""
    with client.get(
        path, headers=headers, name=name, allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code != 200:
            response.failure(f"{path} answered {response.status_code}")


def autosave(client, name: str) -> None:
    """The check-in's htmx POST of a key result's new value (what a member types)."""
    session, slug, kr = random.choice(PLAN["writers"])
    field, value = f"entry-{kr}-value", str(random.randint(10, 60))
    with client.post(
        f"/teams/{slug}/checkins/{PLAN['week']}/save/",
        data={"field": field, field: value, f"{field}__base": stored.get(kr, "")},
        headers={
            "Cookie": f"sessionid={session}; csrftoken={PLAN['csrf']}",
            "HX-Request": "true",
            "X-CSRFToken": PLAN["csrf"],
        },
        name=name,
        allow_redirects=False,
        catch_response=True,
    ) as response:
        if response.status_code == 200:
            # The answer carries the saved text (normalised), the next save's base.
            match = BASE.search(response.text or "")
            stored[kr] = match.group(1) if match else value
            response.success()
        elif response.status_code == 409:
            # Two simulated members typed into the same field: the app answered
            # correctly with the stored text, which the next save starts from.
            match = STORED.search(response.text or "")
            stored[kr] = match.group(1) if match else ""
            response.success()
        else:
            response.failure(f"the autosave answered {response.status_code}")


def api_write(client) -> None:
    """A cron job's POST of a key result's new value with its team's token (bench/api.py)."""
    secret, kr = random.choice(PLAN["api_writers"])
    with client.post(
        f"/api/v1/key-results/{kr}/values",
        data=json.dumps({"value": str(random.randint(10, 60)), "confidence": 6}),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        name="api_write",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        if response.status_code not in (200, 201):
            response.failure(f"the API write answered {response.status_code}")


# --- the check-in morning: every kind at its own rate, all at once ------------------------

STORM = json.loads(os.environ.get("BENCH_STORM", "{}"))


def storm_user(kind: str, base=FastHttpUser):
    """A user class for one kind of request that together with its siblings sends
    STORM[kind] = [rate, users] requests per second."""
    rate, users = STORM.get(kind, [1, 1])

    class StormUser(base):
        abstract = True
        fixed_count = users
        wait_time = constant_throughput(rate / users)

        def on_start(self):
            spread(self, users / rate)

    return StormUser


class StormHome(storm_user("home")):
    """Leaders watching the home page."""

    @task
    def home(self):
        page(self.client, "/", member(random.choice(PLAN["leader_sessions"])), "home")


class StormTeam(storm_user("team")):
    """Members reading their own team's page while teammates autosave."""

    @task
    def team(self):
        session, slug, _ = random.choice(PLAN["writers"])
        page(self.client, f"/teams/{slug}/", member(session), "team")


class StormAutosave(storm_user("autosave")):
    """Members typing key-result values into this week's check-in."""

    @task
    def save(self):
        autosave(self.client, "autosave")


class StormCheckin(storm_user("checkin")):
    """Members opening this week's check-in page."""

    @task
    def checkin(self):
        session, slug, _ = random.choice(PLAN["writers"])
        page(self.client, f"/teams/{slug}/checkins/{PLAN['week']}/", member(session), "checkin")
