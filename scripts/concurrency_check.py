"""Many learners at once, on SQLite or PostgreSQL (`make concurrency-check`).

    .venv/bin/python scripts/concurrency_check.py --database sqlite|postgres [--clients 32]

Production as `make serve` runs it (gunicorn with its workers and threads, DEBUG off) on a
scratch database: a new SQLite file (WAL, busy timeout, IMMEDIATE transactions), or a new
PostgreSQL database with Redis for the cache and sessions. Then every client, all released at
once, is one learner in a browser, through the real HTML forms with their CSRF tokens:

1. signs up;
2. takes every quiz (all questions on one page) and answers every question, the first one with
   a double click (two POSTs at the same moment);
3. marks every concept learned, the first one with a double click;
4. opens the dashboard, which must count what they marked.

Then the database itself is read: each learner has one attempt per quiz with exactly one answer
per question, and one learned row per concept. Any response of 500 or more, any unexpected
status, or "database is locked" (or any traceback) in the server's log fails the check.

Exits 1 when a check fails (saying which), 0 when all pass. The server always stops; the scratch
database is removed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from live_site import (
    ORIGIN,
    PUBLIC_HOST,
    Browser,
    CheckFailed,
    app_server,
    check,
    csrf_token,
    empty_redis,
    manage,
    scratch_database,
)

# Its own Redis database: the scale-out check uses 11, and either may run while the other does.
REDIS_URL = os.environ.get("CONCURRENCY_REDIS_URL", "redis://127.0.0.1:6379/12")
SERVER = "app"
# A 5xx in the app's request log line ("POST /path 500 12.3ms user=7"), a lock, any traceback.
FAILURE_IN_LOG = re.compile(r" 5\d\d [\d.]+ms |database is locked|Traceback| ERROR ")

# What the server holds, as the check reads it afterwards (run with `manage.py shell -c`).
CONTENT_QUERY = """
import json
from learning.models import Concept
from quizzes.models import Quiz
print(json.dumps({
    "concepts": list(Concept.objects.order_by("pk").values_list("pk", flat=True)),
    "quizzes": {q.slug: q.questions.count() for q in Quiz.objects.all()},
}))
"""
STORED_QUERY = """
import json
from django.db.models import Count
from learning.models import LearnedItem
from quizzes.models import Answer, Attempt
prefix = PREFIX
attempts = Attempt.objects.filter(user__username__startswith=prefix)
print(json.dumps({
    "attempts": list(attempts.values("user__username", "quiz__slug").annotate(n=Count("pk"))),
    "answers": list(
        Answer.objects.filter(attempt__in=attempts)
        .values("attempt__user__username", "attempt__quiz__slug", "question_id")
        .annotate(n=Count("pk"))
    ),
    "learned": list(
        LearnedItem.objects.filter(user__username__startswith=prefix, kind="concept")
        .values("user__username", "object_id")
        .annotate(n=Count("pk"))
    ),
}))
"""


@dataclass
class Outcome:
    """What one learner's requests met: unexpected statuses, and each answer POST's time."""

    problems: list[str] = field(default_factory=list)
    answer_ms: list[float] = field(default_factory=list)
    requests: int = 0


class Learner:
    def __init__(self, number: int, prefix: str, servers: dict[str, int], content: dict):
        self.username = f"{prefix}{number:02d}"
        self.password = "concurrency-" + secrets.token_urlsafe(12)
        # Each learner behind the proxy has an address of their own (TEST-NET-3).
        self.browser = Browser(servers, address=f"203.0.113.{number + 1}", agent="concurrency")
        self.content = content
        self.outcome = Outcome()

    def expect(self, response, statuses: tuple[int, ...], what: str):
        self.outcome.requests += 1
        if response.status not in statuses:
            self.outcome.problems.append(f"{self.username}: {what}: {response.status}")
        return response

    def post(self, path: str, fields: dict[str, str], referer: str):
        return self.browser.post_form(SERVER, path, fields, referer=referer)

    def twice_at_once(self, path: str, fields: dict[str, str], referer: str) -> list:
        """A double click: the same POST twice, at the same moment, on two connections."""
        responses: list = [None, None]
        gate = threading.Barrier(2)

        def send(i: int) -> None:
            gate.wait()
            responses[i] = self.post(path, fields, referer)

        clicks = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for click in clicks:
            click.start()
        for click in clicks:
            click.join()
        return responses

    def run(self, start: threading.Barrier) -> None:
        try:
            start.wait()
            self.sign_up()
            for slug in self.content["quizzes"]:
                self.take_quiz(slug)
            self.mark_concepts()
            self.see_dashboard()
        except Exception as exc:  # noqa: BLE001 - a dropped connection is a finding, not a crash
            self.outcome.problems.append(f"{self.username}: {type(exc).__name__}: {exc}")

    def sign_up(self) -> None:
        page = self.expect(self.browser.get(SERVER, "/accounts/signup/"), (200,), "sign-up form")
        fields = {
            "csrfmiddlewaretoken": csrf_token(page),
            "username": self.username,
            "email": "",
            "time_zone": "UTC",
            "password1": self.password,
            "password2": self.password,
        }
        self.expect(self.post("/accounts/signup/", fields, "/accounts/signup/"), (302,), "sign up")

    def take_quiz(self, slug: str) -> None:
        quiz_page = f"/quizzes/{slug}/"
        page = self.expect(self.browser.get(SERVER, quiz_page), (200,), f"quiz {slug}")
        started = self.expect(
            self.post(
                f"{quiz_page}start/",
                {"csrfmiddlewaretoken": csrf_token(page), "mode": "all"},
                quiz_page,
            ),
            (302,),
            f"start {slug}",
        )
        attempt_path = started.location.split("#")[0]
        attempt = self.expect(self.browser.get(SERVER, attempt_path), (200,), "attempt page")
        token = csrf_token(attempt)
        questions = re.findall(
            r'name="question" value="(\d+)">(.*?)</form>', attempt.body, flags=re.S
        )
        if len(questions) != self.content["quizzes"][slug]:
            self.outcome.problems.append(
                f"{self.username}: {attempt_path} shows {len(questions)} questions, "
                f"not {self.content['quizzes'][slug]}"
            )
        for number, (question, form) in enumerate(questions):
            choice = secrets.choice(re.findall(r'name="choice" value="(\d+)"', form))
            fields = {"csrfmiddlewaretoken": token, "question": question, "choice": choice}
            began = time.perf_counter()
            if number == 0:
                responses = self.twice_at_once(f"{attempt_path}answer/", fields, attempt_path)
            else:
                responses = [self.post(f"{attempt_path}answer/", fields, attempt_path)]
            self.outcome.answer_ms.append((time.perf_counter() - began) * 1000)
            for response in responses:
                self.expect(response, (302,), f"answer question {question}")

    def mark_concepts(self) -> None:
        page = "/dashboard/"
        token = csrf_token(self.browser.get(SERVER, page))  # the form's token, as a browser has it
        for number, concept in enumerate(self.content["concepts"]):
            fields = {
                "csrfmiddlewaretoken": token,
                "kind": "concept",
                "object_id": str(concept),
                "learned": "1",
                "next": page,
            }
            if number == 0:
                responses = self.twice_at_once("/progress/learned/", fields, page)
            else:
                responses = [self.post("/progress/learned/", fields, page)]
            for response in responses:
                self.expect(response, (302,), f"mark concept {concept} learned")

    def see_dashboard(self) -> None:
        page = self.expect(self.browser.get(SERVER, "/dashboard/"), (200,), "dashboard")
        if self.username not in page.body:
            self.outcome.problems.append(f"{self.username}: the dashboard is not theirs")


def check_stored(stored: dict, learners: list[Learner], content: dict) -> None:
    names = {learner.username for learner in learners}
    attempts = {(a["user__username"], a["quiz__slug"]): a["n"] for a in stored["attempts"]}
    wanted = {(name, slug) for name in names for slug in content["quizzes"]}
    check(
        set(attempts) == wanted and set(attempts.values()) == {1},
        f"one attempt per learner per quiz ({len(attempts)} of {len(wanted)})",
    )
    answers: dict[tuple[str, str], int] = {}
    for row in stored["answers"]:
        if row["n"] != 1:
            raise CheckFailed(f"question {row['question_id']} answered {row['n']} times: {row}")
        key = (row["attempt__user__username"], row["attempt__quiz__slug"])
        answers[key] = answers.get(key, 0) + 1
    short = {key: n for key, n in answers.items() if n != content["quizzes"][key[1]]}
    check(
        len(answers) == len(wanted) and not short,
        f"every question of every attempt answered exactly once "
        f"({sum(answers.values())} answers stored, none twice)",
    )
    learned: dict[str, set[int]] = {}
    for row in stored["learned"]:
        if row["n"] != 1:
            raise CheckFailed(f"concept {row['object_id']} learned {row['n']} times: {row}")
        learned.setdefault(row["user__username"], set()).add(row["object_id"])
    concepts = set(content["concepts"])
    check(
        set(learned) == names and all(marked == concepts for marked in learned.values()),
        f"every concept marked learned exactly once by every learner "
        f"({len(stored['learned'])} rows)",
    )


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[dict[str, str]]:
    """The environment for one database: SQLite alone (one machine), or PostgreSQL with Redis."""
    if kind == "sqlite":
        yield {"DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}"}
        return
    with scratch_database("concurrency") as url, empty_redis(REDIS_URL):
        yield {"DATABASE_URL": url, "REDIS_URL": REDIS_URL}


def run(kind: str, clients: int) -> None:
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="concurrency-")))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
        env.pop("DATABASE_URL", None)
        env |= stack.enter_context(database(kind, workdir))
        env |= {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": PUBLIC_HOST,
            "DJANGO_CSRF_TRUSTED_ORIGINS": ORIGIN,
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
        }
        print(f"Set-up on {kind}: migrate, load_content, collectstatic", flush=True)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_content", "--if-empty")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        content = json.loads(manage(env, "shell", "-v", "0", "-c", CONTENT_QUERY))
        log_path = workdir / "server.log"
        port = stack.enter_context(app_server(SERVER, env, log_path))

        prefix = f"c{secrets.token_hex(2)}x"
        learners = [Learner(i, prefix, {SERVER: port}, content) for i in range(clients)]
        print(
            f"{clients} learners at once: sign up, {len(content['quizzes'])} quizzes "
            f"({sum(content['quizzes'].values())} questions), {len(content['concepts'])} concepts",
            flush=True,
        )
        start = threading.Barrier(clients)
        threads = [threading.Thread(target=learner.run, args=(start,)) for learner in learners]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - began

        outcomes = [learner.outcome for learner in learners]
        problems = [problem for outcome in outcomes for problem in outcome.problems]
        answer_ms = sorted(ms for outcome in outcomes for ms in outcome.answer_ms)
        requests = sum(outcome.requests for outcome in outcomes)
        print(
            f"  {requests} requests in {seconds:.1f} s; answer POSTs: "
            f"p50 {statistics.median(answer_ms):.0f} ms, "
            f"p99 {answer_ms[int(len(answer_ms) * 0.99) - 1]:.0f} ms",
            flush=True,
        )
        check(not problems, "every response as expected, none 500" + listing(problems))
        log = log_path.read_text().splitlines()
        failures = [line for line in log if FAILURE_IN_LOG.search(line)]
        check(
            not failures,
            f"no server error and no 'database is locked' in the server's log ({len(log)} lines)"
            + listing(failures),
        )
        query = STORED_QUERY.replace("PREFIX", repr(prefix))
        stored = json.loads(manage(env, "shell", "-v", "0", "-c", query))
        check_stored(stored, learners, content)


def listing(lines: list[str], limit: int = 20) -> str:
    """The first lines of what went wrong, for a failed check's message ("" when none)."""
    return "".join(f"\n    {line}" for line in lines[:limit])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=32)
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the server
    try:
        run(options.database, options.clients)
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    print(f"Concurrency check passed on {options.database}: {options.clients} learners at once.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
