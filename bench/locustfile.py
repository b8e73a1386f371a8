"""Load for `make bench` (run by bench/run.py).

The isolated runs use `BenchUser`: one target per run, chosen by BENCH_TARGET. Without
BENCH_RATE every simulated user sends its next request as soon as the last one answered
(the server's throughput); with BENCH_RATE the users together send that many requests
per second (latency at a given load).

The check-in morning ("storm") uses the four `Storm*` classes at once, each kind at its
own constant rate (BENCH_STORM: {"home": [rate, users], ...}): leaders watching the
home page, members reading their own team's page, members autosaving key results in
this week's check-in and members opening that check-in page. Each user starts at a
random moment within its first interval, so the users do not all send in the same
instant every second.
"""

import json
import os
import random
import re

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


class BenchUser(FastHttpUser):
    wait_time = constant_throughput(RATE / USERS) if RATE else constant(0)

    def on_start(self):
        self.headers = {"Cookie": f"sessionid={PLAN['member_session']}; csrftoken={PLAN['csrf']}"}

    @task
    def hit(self):
        if TARGET == "trivial":
            self.client.get("/bench/ok", name="trivial")
        elif TARGET == "home":
            self.client.get("/", headers=self.headers, name="home")
        elif TARGET == "team":
            slug = random.choice(PLAN["team_slugs"])
            self.client.get(f"/teams/{slug}/", headers=self.headers, name="team")
        elif TARGET == "own_team":
            # members reading their own team's page, which is built for them every time
            session, slug, _ = random.choice(PLAN["writers"])
            self.client.get(
                f"/teams/{slug}/",
                headers={"Cookie": f"sessionid={session}; csrftoken={PLAN['csrf']}"},
                name="own_team",
            )
        elif TARGET == "kr_update":
            self.autosave_key_result()
        elif TARGET == "api_write":
            api_write(self.client)

    def autosave_key_result(self, name: str = "kr_update"):
        autosave(self.client, name)


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


def api_write(client) -> None:
    """A cron job's POST of a key result's new value with its team's token (bench/api.py)."""
    secret, kr = random.choice(PLAN["api_writers"])
    client.post(
        f"/api/v1/key-results/{kr}/values",
        data=json.dumps({"value": str(random.randint(10, 60)), "confidence": 6}),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        name="api_write",
    )


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
            gevent.sleep(random.random() * users / rate)  # spread the users' phases

    return StormUser


def member(session: str) -> dict:
    return {"Cookie": f"sessionid={session}; csrftoken={PLAN['csrf']}"}


class StormHome(storm_user("home")):
    """Leaders watching the home page."""

    @task
    def home(self):
        self.client.get("/", headers=member(random.choice(PLAN["leader_sessions"])), name="home")


class StormTeam(storm_user("team")):
    """Members reading their own team's page while teammates autosave."""

    @task
    def team(self):
        session, slug, _ = random.choice(PLAN["writers"])
        self.client.get(f"/teams/{slug}/", headers=member(session), name="team")


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
        self.client.get(
            f"/teams/{slug}/checkins/{PLAN['week']}/", headers=member(session), name="checkin"
        )
