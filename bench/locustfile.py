"""Load for `make bench` (run by bench/run.py): one target per run, chosen by BENCH_TARGET.

Without BENCH_RATE every simulated user sends its next request as soon as the last one
answered (the server's throughput); with BENCH_RATE the users together send that many
requests per second (latency at a given load).
"""

import json
import os
import random

from locust import constant, constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

TARGET = os.environ["BENCH_TARGET"]
PLAN = json.loads(os.environ["BENCH_PLAN"])
USERS = int(os.environ.get("BENCH_USERS", "1"))
RATE = float(os.environ.get("BENCH_RATE", "0"))


class BenchUser(FastHttpUser):
    wait_time = constant_throughput(RATE / USERS) if RATE else constant(0)

    def on_start(self):
        session = PLAN["leader_session"] if TARGET == "kr_update" else PLAN["member_session"]
        self.headers = {"Cookie": f"sessionid={session}; csrftoken={PLAN['csrf']}"}

    @task
    def hit(self):
        if TARGET == "trivial":
            self.client.get("/bench/ok", name="trivial")
        elif TARGET == "home":
            self.client.get("/", headers=self.headers, name="home")
        elif TARGET == "team":
            slug = random.choice(PLAN["team_slugs"])
            self.client.get(f"/teams/{slug}/", headers=self.headers, name="team")
        elif TARGET == "kr_update":
            kr = random.choice(PLAN["key_results"])
            prefix = f"record{kr}"
            self.client.post(
                f"/key-results/{kr}/record/",
                data={
                    f"{prefix}-value": str(random.randint(10, 60)),
                    f"{prefix}-confidence": str(random.randint(3, 9)),
                    f"{prefix}-comment": "bench",
                },
                headers={**self.headers, "HX-Request": "true", "X-CSRFToken": PLAN["csrf"]},
                name="kr_update",
            )
