"""Load for `make bench` (run by bench/run.py): one target per run, chosen by BENCH_TARGET.

Without BENCH_RATE every simulated user sends its next request as soon as the last one
answered (the server's throughput); with BENCH_RATE the users together send that many
requests per second (latency at a given load).
"""

import json
import os
import random
import re

from locust import constant, constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

TARGET = os.environ["BENCH_TARGET"]
PLAN = json.loads(os.environ["BENCH_PLAN"])
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

    def autosave_key_result(self):
        """The check-in's htmx POST of a key result's new value (what a member types)."""
        session, slug, kr = random.choice(PLAN["writers"])
        field, value = f"entry-{kr}-value", str(random.randint(10, 60))
        with self.client.post(
            f"/teams/{slug}/checkins/{PLAN['week']}/save/",
            data={"field": field, field: value, f"{field}__base": stored.get(kr, "")},
            headers={
                "Cookie": f"sessionid={session}; csrftoken={PLAN['csrf']}",
                "HX-Request": "true",
                "X-CSRFToken": PLAN["csrf"],
            },
            name="kr_update",
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
