"""The site load test's users, for locust (started by benchmarks/load.py, not by hand).

One user class per kind of request, so load.py can measure each kind alone (its capacity) and
all of them at once (the mix). Every user is closed-loop (no think time): it sends its next
request as soon as the last one is answered, so req/s is what the server can do.

load.py passes, in the JSON file named by BENCH_CONFIG, the URLs, the learners' session cookies
and API tokens, the quizzes' questions, the server's process group, and the plan: the phases
(user classes, clients, seconds) one locust run goes through (Phases below: one run, rather than
one per phase, saves locust's start-up each time). When the run stops, this file writes every
request's (time, phase, kind, ms, ok) and, at each phase's start and end, the time and the CPU
used so far by the server's processes and by locust, to the JSON file named by BENCH_OUT: load.py
computes exact percentiles (locust's own are rounded) and CPU per request from them.

Requests carry `X-Forwarded-Proto: https`, as the TLS proxy in front of production does (without
it the site redirects to HTTPS). Session cookies are sent as a header: the site marks them Secure,
and a cookie jar would not send them over the loopback's plain HTTP.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import resource
import time
from pathlib import Path

from locust import FastHttpUser, LoadTestShape, constant, events, task

CONFIG: dict = json.loads(Path(os.environ["BENCH_CONFIG"]).read_text())
PROXY = {"X-Forwarded-Proto": "https"}
SAMPLES: list[tuple[float, int, str, float, bool]] = []
MARKS: list[dict] = []  # at each phase's start and end
_phase = 0
_learner_numbers = itertools.count()


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in a process group (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp; utime and stime are fields 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _mark(phase: int, event: str) -> None:
    own = resource.getrusage(resource.RUSAGE_SELF)
    MARKS.append(
        {
            "phase": phase,
            "event": event,
            "time": time.time(),
            "server_cpu": group_cpu_seconds(CONFIG["server_pgid"]),
            "locust_cpu": own.ru_utime + own.ru_stime,
        }
    )


@events.request.add_listener
def _record(name: str, response_time: float, exception, **kwargs) -> None:
    SAMPLES.append((time.time(), _phase, name, response_time, exception is None))


@events.test_stop.add_listener
def _write(**kwargs) -> None:
    Path(os.environ["BENCH_OUT"]).write_text(json.dumps({"samples": SAMPLES, "marks": MARKS}))


class SiteUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    kind = ""  # the name its requests are reported under

    def on_start(self) -> None:
        learners = CONFIG["learners"]
        self.learner = learners[next(_learner_numbers) % len(learners)]

    def fetch(self, path: str, *, expect: int = 200, headers: dict | None = None) -> None:
        with self.client.get(
            path,
            name=self.kind,
            headers=PROXY | (headers or {}),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != expect:
                response.failure(f"{path}: {response.status_code}, not {expect}")


class StaticFile(SiteUser):
    """The reference: a hashed CSS file, served by whitenoise."""

    kind = "static file (hashed CSS)"

    @task
    def css(self) -> None:
        self.fetch(CONFIG["static"])


class AnonymousPage(SiteUser):
    """Browsing the guide without an account: home, concepts, a concept, glossary, roadmap."""

    kind = "anonymous page"

    @task
    def page(self) -> None:
        self.fetch(random.choice(CONFIG["anonymous"]))


class GlossarySearch(SiteUser):
    kind = "glossary search"

    @task
    def search(self) -> None:
        self.fetch(random.choice(CONFIG["search"]))


class LabTokenizer(SiteUser):
    kind = "lab: tokenizer"

    @task
    def tokenizer(self) -> None:
        self.fetch(random.choice(CONFIG["lab"]))


class Dashboard(SiteUser):
    kind = "dashboard (signed in)"

    @task
    def dashboard(self) -> None:
        self.fetch("/dashboard/", headers={"Cookie": self.learner["cookie"]})


class QuizPage(SiteUser):
    """A signed-in learner's open attempt, one question at a time (the page they answer on)."""

    kind = "quiz page (signed in)"

    @task
    def attempt(self) -> None:
        self.fetch(self.learner["attempt_page"], headers={"Cookie": self.learner["cookie"]})


class QuizAnswer(SiteUser):
    """A whole quiz answered through the API (`POST /api/v1/quizzes/{slug}/attempts/`): one
    attempt written and graded per request."""

    kind = "quiz answers (API POST)"

    @task
    def answer(self) -> None:
        quiz = random.choice(CONFIG["quizzes"])
        answers = [
            {"question": q["id"], "choice": random.choice(q["choices"])} for q in quiz["questions"]
        ]
        with self.client.post(
            f"/api/v1/quizzes/{quiz['slug']}/attempts/",
            name=self.kind,
            json={"answers": answers},
            headers=PROXY | {"Authorization": f"Token {self.learner['token']}"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Phases(LoadTestShape):
    """CONFIG["plan"], one phase after another, moved on by locust's ticks (about one a second).

    Between two phases one tick has no users at all: locust keeps running users of the finished
    phase's class when the next phase has as many users, so every phase starts from none.
    """

    def __init__(self) -> None:
        super().__init__()
        self.number = 0  # the phase running, or starting on the next tick
        self.running = False
        self.started_at = 0.0

    def tick(self):
        global _phase
        plan = CONFIG["plan"]
        if self.running and time.time() - self.started_at >= plan[self.number]["seconds"]:
            _mark(self.number, "end")
            _phase = -1  # requests still finishing belong to no phase
            self.number += 1
            self.running = False
            if self.number < len(plan):
                return 0, 1000  # the gap: every user stops
        if self.number >= len(plan):
            return None
        phase = plan[self.number]
        if not self.running:
            self.running = True
            self.started_at = time.time()
            _phase = self.number
            _mark(self.number, "start")
        classes = [globals()[name] for name in phase["classes"]]
        # Spawned at once: the phase's first second is left out as its warm-up.
        return phase["users"], 1000, classes
