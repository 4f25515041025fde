"""The site's load test (run by `make bench`): the production server under locust.

    .venv/bin/python benchmarks/load.py [--sqlite-only | --postgres-only] [--seconds 3] [--no-write]
        [--kinds dashboard,quiz]   # those kinds and the static file only: for profiling

It does what `make serve` does on two scratch databases, SQLite and PostgreSQL (migrate,
load_content; collectstatic into STATIC_ROOT unless it is up to date), side by side before any
load; creates a few learners with some progress, an open quiz attempt, a session and an API token
each; then, one database at a time, starts gunicorn with genai_site/gunicorn.conf.py on a free
loopback port and has locust (benchmarks/locustfile.py, from its own virtualenv, see below) drive:

1. each kind of request alone, 8 closed-loop clients for a few seconds: its capacity. Ratio =
   its req/s / the static file's req/s. The targets are checked on these figures.
2. every kind at once (2 clients each): the mix, reported for latency under mixed load.
3. on SQLite, 32 clients answering quizzes (API POSTs: one attempt written and graded each):
   writers queue on SQLite's lock; the target is 0 errors.

Server CPU per request (from /proc, summed over the server's processes) is printed beside each
kind: on a shared machine it is steadier than req/s. It prints the tables, writes them to
BENCHMARKS.md with the machine, date and commit, and exits 1 when a target is missed.

Locust lives in its own virtualenv (.venv/bench, requirements-bench.txt; `make bench` creates it)
rather than in requirements-dev.txt: its geventhttpclient pulls in `brotli`, and with brotli
installed whitenoise brotli-compresses every static file in collectstatic (measured here: 4 s
became 2 minutes, for every `make serve`); it also installs a pytest plugin into the test suite.
Servers and locust run in their own process groups and are always stopped; the PostgreSQL
database is dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from processes import gunicorn, manage, postgres_database, stop_group  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOCUST = ROOT / ".venv" / "bench" / "bin" / "locust"
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
LEARNERS = 8
WARMUP_SECONDS = 1.0  # samples completed in the first second of a phase are left out
CLIENTS = 8  # per kind, in the capacity phase: a little under gunicorn's 5 workers x 2 threads
MIX_CLIENTS_PER_KIND = 2
WRITERS = 32

# (locust user class, kind) in table order; the static file is the reference.
KINDS = [
    ("StaticFile", "static file (hashed CSS)"),
    ("AnonymousPage", "anonymous page"),
    ("GlossarySearch", "glossary search"),
    ("LabTokenizer", "lab: tokenizer"),
    ("Dashboard", "dashboard (signed in)"),
    ("QuizPage", "quiz page (signed in)"),
    ("QuizAnswer", "quiz answers (API POST)"),
]
REFERENCE = "static file (hashed CSS)"
# Minimum ratio to the static file's req/s, per kind (issue 11). Kinds without one are reported.
RATIO_TARGETS = {
    "anonymous page": 0.5,  # once cached
    "dashboard (signed in)": 0.10,
    "quiz page (signed in)": 0.10,
    "quiz answers (API POST)": 0.05,
}
P99_OVER_P50 = 10.0

# Run inside `manage.py shell`: migrate and load the content, then learners with a little
# history (so the dashboard has something to show), an open attempt each, a session and a token;
# and what the load needs to know.
SETUP_CODE = """
import json, random
from django.core.management import call_command

# `make serve`'s first steps, in this one process (each Django start-up costs a second of CPU).
call_command("migrate", interactive=False, verbosity=0)
call_command("load_content", if_empty=True)
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
from rest_framework.authtoken.models import Token
from glossary.models import Term
from learning import services as learning_services
from learning.models import Concept
from quizzes import services as quiz_services
from quizzes.models import Quiz

rng = random.Random(11)
quizzes = list(Quiz.objects.order_by("pk").prefetch_related("questions__choices"))
concepts = list(Concept.objects.order_by("pk"))
learners = []
for n in range(%(learners)d):
    # No password: hashing one costs ~1 s of CPU, and the load signs in with sessions and tokens.
    user = get_user_model().objects.create_user(f"bench-learner-{n}")
    for concept in concepts[: n %% len(concepts) + 1]:
        learning_services.progress_mark(user=user, kind="concept", object_id=concept.pk)
    for quiz in quizzes[:3]:
        answers = [
            {"question": q.pk, "choice": rng.choice(list(q.choices.all())).pk}
            for q in quiz.questions.all()
        ]
        quiz_services.attempt_submit(quiz=quiz, user=user, answers=answers)
    attempt = quiz_services.attempt_start(quiz=quizzes[0], user=user)
    client = Client()
    client.force_login(user)
    cookie_name = settings.SESSION_COOKIE_NAME
    learners.append({
        "cookie": f"{cookie_name}={client.cookies[cookie_name].value}",
        "token": Token.objects.create(user=user).key,
        "attempt_page": f"/quizzes/{quizzes[0].slug}/attempts/{attempt.pk}/",
    })
terms = list(Term.objects.order_by("pk").values_list("name", flat=True)[:6])
print(json.dumps({
    "static": staticfiles_storage.url("css/site.css"),
    "anonymous": ["/", "/concepts/", f"/concepts/{concepts[0].slug}/", "/glossary/", "/roadmap/"],
    "search": [f"/glossary/?q={t.split()[0].lower()}" for t in terms] + ["/glossary/?q=atention"],
    "lab": [
        "/lab/tokenizer/",
        "/lab/tokenizer/?text=Attention+is+all+you+need.",
        "/lab/tokenizer/?text=Tokenizers+split+text+into+subword+units.",
    ],
    "learners": learners,
    "quizzes": [
        {
            "slug": quiz.slug,
            "questions": [
                {"id": q.pk, "choices": [c.pk for c in q.choices.all()]}
                for q in quiz.questions.all()
            ],
        }
        for quiz in quizzes if quiz.questions.all()
    ],
}))
"""


@dataclass
class Row:
    kind: str
    requests: int
    errors: int
    rps: float
    p50: float
    p99: float
    cpu_ms: float | None = None  # server CPU per request
    ratio: float | None = None


# --- processes ------------------------------------------------------------------------------


def static_files_fresh() -> bool:
    """Whether collectstatic's manifest is newer than every static source: our static/ files and
    the installed packages' (which change only with an install)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [ROOT / ".venv" / ".installed", *(ROOT / "static").rglob("*")]
    newest = max(path.stat().st_mtime for path in sources if path.exists())
    return manifest.stat().st_mtime > newest


def server_env(database_url: str) -> dict[str, str]:
    """Production settings, as `make serve` has them, with the API throttles raised: they are a
    policy per user, not a capacity, and 8 learners would hit them at once."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("REDIS_URL", None)  # `make serve` on one machine: the local-memory cache
    env |= {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "DJANGO_API_THROTTLE_USER": "1000000/min",
        "DJANGO_API_THROTTLE_ANON": "1000000/min",
    }
    return env


@contextmanager
def scratch_database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "SQLite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    with postgres_database("bench_load", POSTGRES_URL) as url:
        yield url


@contextmanager
def server(env: dict[str, str], log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    def is_up(port: int) -> bool:
        return get(f"http://127.0.0.1:{port}", "/healthz") == 200

    with gunicorn(env, log_path, is_up) as (port, process):
        yield f"http://127.0.0.1:{port}", process


def get(base: str, path: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(
        base + path, headers={"X-Forwarded-Proto": "https"} | (headers or {})
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# --- load -----------------------------------------------------------------------------------


def run_locust(base: str, config: dict, workdir: Path, plan: list[dict]) -> list[dict]:
    """One locust run through the plan's phases. Per phase: its rows (one per kind), the
    server's CPU per request and the share of a core locust used."""
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config | {"plan": plan}))
    out = workdir / "samples.json"
    out.unlink(missing_ok=True)
    env = os.environ | {"BENCH_CONFIG": str(config_path), "BENCH_OUT": str(out)}
    command = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", base]
    command += ["--only-summary", "--loglevel", "ERROR"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, stopped as one
    )
    try:
        # Each phase runs a tick longer than planned, and a gap of one tick follows it.
        budget = sum(phase["seconds"] + 3 for phase in plan) + 60
        _, stderr = process.communicate(timeout=budget)
    finally:
        stop_group(process)
    if not out.exists():
        raise RuntimeError(f"locust wrote no samples (exit {process.returncode}):\n{stderr}")
    errors = [line for line in stderr.splitlines() if "Error" in line or "Traceback" in line]
    if errors:
        print(f"    locust: {errors[0][:200]}")
    data = json.loads(out.read_text())
    marks = {(m["phase"], m["event"]): m for m in data["marks"]}
    return [phase_result(data["samples"], marks, n) for n in range(len(plan))]


def phase_result(all_samples: list, marks: dict, number: int) -> dict:
    start, end = marks[(number, "start")], marks[(number, "end")]
    samples = [s for s in all_samples if s[1] == number]
    kept = [s for s in samples if start["time"] + WARMUP_SECONDS <= s[0] <= end["time"]]
    seconds = end["time"] - start["time"] - WARMUP_SECONDS
    rows = []
    for kind in sorted({s[2] for s in kept}):
        times = sorted(s[3] for s in kept if s[2] == kind)
        rows.append(
            Row(
                kind=kind,
                requests=len(times),
                errors=sum(1 for s in kept if s[2] == kind and not s[4]),
                rps=len(times) / seconds,
                p50=percentile(times, 50),
                p99=percentile(times, 99),
            )
        )
    # The server's CPU over the whole phase (its warm-up too), per request the phase made.
    cpu_ms = (end["server_cpu"] - start["server_cpu"]) * 1000 / max(len(samples), 1)
    for row in rows:
        row.cpu_ms = cpu_ms if len(rows) == 1 else None
    locust_share = (end["locust_cpu"] - start["locust_cpu"]) / (end["time"] - start["time"])
    return {"rows": rows, "locust_share": locust_share, "requests": len(samples)}


def percentile(sorted_values: list[float], pct: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[int(pct) - 1]


def warm_up(base: str, config: dict) -> None:
    """One request per URL, so the first phase does not pay for empty caches alone (each
    worker still warms its own local-memory cache in the phase's first second)."""
    cookie = {"Cookie": config["learners"][0]["cookie"]}
    paths = [config["static"], *config["anonymous"], *config["search"], *config["lab"]]
    for path in paths:
        status = get(base, path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status} before the load started")
    for path in ("/dashboard/", config["learners"][0]["attempt_page"]):
        status = get(base, path, cookie)
        if status != 200:
            raise RuntimeError(f"GET {path} (signed in) answered {status}")


def postgres_sessions(database_url: str) -> tuple[int, int]:
    """(connections open now, sessions ever opened) for the database: persistent connections
    (CONN_MAX_AGE) keep the second one near gunicorn's thread count."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT numbackends, sessions FROM pg_stat_database WHERE datname = %s", (name,)
        ).fetchone()
    return int(row[0]), int(row[1])


def prepare(backend: str, database_url: str) -> tuple[dict[str, str], dict]:
    """`make serve`'s steps on the scratch database, and the learners (before any load, so the
    databases can be made ready side by side)."""
    env = server_env(database_url)
    started = time.monotonic()
    code = SETUP_CODE % {"learners": LEARNERS}
    config = json.loads(manage(env, "shell", "-v", "0", "-c", code).strip().splitlines()[-1])
    print(f"  {backend}: database ready in {time.monotonic() - started:.0f} s", flush=True)
    return env, config


def bench_backend(
    backend: str,
    database_url: str,
    prepared: tuple[dict[str, str], dict],
    workdir: Path,
    seconds: float,
    notes: list[str],
    kinds: list[tuple[str, str]] = KINDS,
) -> dict:
    """Every phase for all KINDS; for a subset (--kinds), their capacity phases only."""
    print(f"\n== {backend} ==", flush=True)
    env, config = prepared
    log_path = workdir / f"server-{backend}.log"
    whole = kinds == KINDS
    plan = [
        {"classes": [user_class], "users": CLIENTS, "seconds": seconds + WARMUP_SECONDS}
        for user_class, _ in kinds
    ]
    if whole:
        plan.append(
            {
                "classes": [user_class for user_class, _ in KINDS],
                "users": MIX_CLIENTS_PER_KIND * len(KINDS),
                "seconds": 1.5 * seconds + WARMUP_SECONDS,
            }
        )
    if whole and backend == "SQLite":
        plan.append(
            {
                "classes": ["QuizAnswer"],
                "users": WRITERS,
                "seconds": 1.5 * seconds + WARMUP_SECONDS,
            }
        )
    with server(env, log_path) as (base, process):
        try:
            warm_up(base, config)
        except RuntimeError as error:
            tail = log_path.read_text()[-3000:]
            raise RuntimeError(f"{error}; the server's log ends:\n{tail}") from error
        if backend == "PostgreSQL":
            sessions_before = postgres_sessions(database_url)[1]
        phases = run_locust(base, config | {"server_pgid": process.pid}, workdir, plan)
        if backend == "PostgreSQL":
            open_now, sessions_after = postgres_sessions(database_url)
            requests = sum(p["requests"] for p in phases)
            note = (
                f"PostgreSQL: {sessions_after - sessions_before} new connections for the "
                f"{requests} requests of the run ({open_now} open at the end): persistent "
                "connections (CONN_MAX_AGE=60, with health checks) are reused."
            )
            print("  " + note)
            notes.append(note)
    capacity = []
    for (_, kind), phase in zip(kinds, phases, strict=False):
        row = next((r for r in phase["rows"] if r.kind == kind), Row(kind, 0, 0, 0.0, 0.0, 0.0))
        capacity.append(row)
        print(
            f"  {kind:26} {row.rps:7.1f} req/s  p50 {row.p50:7.1f} ms  p99 {row.p99:7.1f} ms  "
            f"errors {row.errors}  server CPU {row.cpu_ms or 0:6.1f} ms/req  "
            f"(locust used {phase['locust_share']:.0%} of a core)",
            flush=True,
        )
    reference = next(r for r in capacity if r.kind == REFERENCE)
    for row in capacity:
        row.ratio = row.rps / reference.rps if reference.rps else 0.0
    order = [kind for _, kind in KINDS]
    mix = sorted(phases[len(KINDS)]["rows"], key=lambda r: order.index(r.kind)) if whole else []
    if whole:
        print(f"  mix: {sum(r.rps for r in mix):.1f} req/s in all", flush=True)
    writers = None
    if whole and backend == "SQLite":
        writers = phases[-1]["rows"][0]
        print(
            f"  {WRITERS} clients answering quizzes: {writers.rps:.1f} req/s, "
            f"p50 {writers.p50:.1f} ms, p99 {writers.p99:.1f} ms, "
            f"{writers.errors} errors of {writers.requests}",
            flush=True,
        )
    logged = [
        line
        for line in log_path.read_text().splitlines()
        if " ERROR " in line or "Traceback" in line or "[CRITICAL]" in line
    ]
    if logged:
        notes.append(f"{backend}: the server logged {len(logged)} errors, first: {logged[0][:200]}")
    return {"capacity": capacity, "mix": mix, "writers": writers}


# --- report ---------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        ram = f"{kib / 1024 / 1024:.0f} GiB"
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {cpu}, {ram} RAM, {platform.system()}; load average {load}"


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    return sha + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def capacity_table(rows: list[Row]) -> list[str]:
    lines = [
        "| kind of request | req/s | p50 ms | p99 ms | ratio to static | server CPU ms/req "
        "| CPU ratio | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    reference = next(r for r in rows if r.kind == REFERENCE)
    for r in rows:
        cpu_ratio = (reference.cpu_ms or 0) / r.cpu_ms if r.cpu_ms else 0.0
        lines.append(
            f"| {r.kind} | {r.rps:.1f} | {r.p50:.1f} | {r.p99:.1f} | {r.ratio:.2f} "
            f"| {r.cpu_ms or 0:.1f} | {cpu_ratio:.2f} | {r.errors} |"
        )
    return lines


def mix_table(rows: list[Row]) -> list[str]:
    lines = [
        "| kind of request | req/s | p50 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {r.kind} | {r.rps:.1f} | {r.p50:.1f} | {r.p99:.1f} | {r.errors} |" for r in rows]
    return lines


def check_targets(results: dict[str, dict]) -> list[str]:
    missed = []
    for backend, result in results.items():
        for r in result["capacity"]:
            if r.errors:
                missed.append(f"{backend}: {r.kind}: {r.errors} errors")
            target = RATIO_TARGETS.get(r.kind)
            if target is not None and (r.ratio or 0) < target:
                missed.append(f"{backend}: {r.kind}: ratio {r.ratio:.3f} < {target}")
            if r.p50 and r.p99 > P99_OVER_P50 * r.p50:
                missed.append(
                    f"{backend}: {r.kind}: p99 {r.p99:.1f} ms > {P99_OVER_P50:.0f} x p50 "
                    f"({r.p50:.1f} ms)"
                )
        writers = result.get("writers")
        if writers is not None:
            reference = next(r for r in result["capacity"] if r.kind == REFERENCE)
            ratio = writers.rps / reference.rps if reference.rps else 0.0
            if writers.errors:
                missed.append(f"{backend}: {WRITERS} quiz-answer clients: {writers.errors} errors")
            if ratio < RATIO_TARGETS["quiz answers (API POST)"]:
                missed.append(f"{backend}: {WRITERS} quiz-answer clients: ratio {ratio:.3f} < 0.05")
            if writers.p99 > P99_OVER_P50 * writers.p50:
                missed.append(
                    f"{backend}: {WRITERS} quiz-answer clients: p99 {writers.p99:.1f} ms > "
                    f"{P99_OVER_P50:.0f} x p50 ({writers.p50:.1f} ms)"
                )
    return missed


def report(
    results: dict[str, dict], missed: list[str], notes: list[str], host: str, seconds: float
) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`benchmarks/load.py`, after the lab's own benchmarks). "
        "Figures are from one run on a shared machine: compare ratios, not absolute numbers.",
        "",
        f"- Date: {now}",
        f"- Machine: {host}",
        f"- Commit: {commit()}",
        "- Command: `make bench` (the load test alone: `.venv/bin/python benchmarks/load.py`)",
        "- Server: gunicorn with `genai_site/gunicorn.conf.py` (as `make serve`: "
        f"{os.environ.get('WEB_CONCURRENCY') or (os.cpu_count() or 1) * 2 + 1} workers x 2 "
        "threads), DEBUG off, local-memory cache, the request log on; load from locust "
        "(FastHttpUser) on the same machine, which takes CPU from the server.",
        f"- Capacity: each kind alone, {CLIENTS} closed-loop clients, {seconds:.0f} s after a "
        f"{WARMUP_SECONDS:.0f} s warm-up. Ratio = req/s / the static file's req/s (the targets "
        "use it). Server CPU = the server processes' CPU time / the requests served; CPU ratio = "
        "the static file's CPU per request / the kind's: what the ratio would be with the "
        "server alone on the machine (steadier than req/s when other work shares the cores).",
        "",
    ]
    for backend, result in results.items():
        lines += [f"## {backend}", "", "Capacity, one kind at a time:", ""]
        lines += capacity_table(result["capacity"])
        if result["mix"]:
            lines += [
                "",
                f"Mix: every kind at once, {MIX_CLIENTS_PER_KIND} clients each, "
                f"{seconds * 1.5:.0f} s:",
                "",
            ]
            lines += mix_table(result["mix"])
        writers = result.get("writers")
        if writers is not None:
            reference = next(r for r in result["capacity"] if r.kind == REFERENCE)
            lines += [
                "",
                f"{WRITERS} concurrent clients answering quizzes (API POST, one graded attempt "
                f"each): {writers.rps:.1f} req/s (ratio {writers.rps / reference.rps:.2f}), "
                f"p50 {writers.p50:.1f} ms, p99 {writers.p99:.1f} ms, **{writers.errors} errors** "
                f"of {writers.requests} requests.",
            ]
        lines.append("")
    lines += ["## Targets", ""]
    lines.append(
        "Anonymous pages ≥ 0.5 of the static file's req/s, the dashboard and a quiz page ≥ 0.10, "
        f"quiz answers ≥ 0.05 with 0 errors at {WRITERS} clients on SQLite, p99 ≤ 10 × p50."
    )
    lines.append("")
    lines += [f"- missed: {m}" for m in missed] or ["- all met"]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per phase")
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    parser.add_argument(
        "--postgres-only", action="store_true", help="skip SQLite (for profiling one backend)"
    )
    parser.add_argument(
        "--kinds",
        help="comma-separated words naming kinds, e.g. dashboard,quiz: only their capacity "
        "(and the static file's), no mix, BENCHMARKS.md left alone; for profiling",
    )
    args = parser.parse_args()
    if args.sqlite_only and args.postgres_only:
        parser.error("--sqlite-only and --postgres-only exclude each other")
    kinds = KINDS
    if args.kinds:
        words = [w.strip().lower() for w in args.kinds.split(",") if w.strip()]
        kinds = [(c, k) for c, k in KINDS if k == REFERENCE or any(w in k for w in words)]
        if len(kinds) == 1:
            parser.error(f"--kinds: none of {words} names a kind: {[k for _, k in KINDS]}")
        args.no_write = True
    if not LOCUST.exists():
        print(f"locust is missing: run `make bench` (it creates {LOCUST.parent.parent})")
        return 1
    # SIGTERM (a CI timeout) unwinds like Ctrl-C, so every `finally` stops its server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    host = machine()
    started = time.monotonic()
    backends = ["SQLite", "PostgreSQL"]
    if args.sqlite_only or args.postgres_only:
        backends = ["SQLite"] if args.sqlite_only else ["PostgreSQL"]
    results: dict[str, dict] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, ExitStack() as databases:
        workdir = Path(tmp)
        urls = {b: databases.enter_context(scratch_database(b, workdir)) for b in backends}
        print("Preparing the databases and the static files...", flush=True)
        with ThreadPoolExecutor() as pool:
            jobs = {b: pool.submit(prepare, b, urls[b]) for b in backends}
            if not static_files_fresh():
                # As `make serve`: the hashed static files the pages link to, in STATIC_ROOT.
                env = server_env(f"sqlite:///{workdir / 'unused.sqlite3'}")
                manage(env, "collectstatic", "--noinput", "-v", "0")
            prepared = {b: job.result() for b, job in jobs.items()}
        for backend in backends:
            results[backend] = bench_backend(
                backend, urls[backend], prepared[backend], workdir, args.seconds, notes, kinds
            )
    missed = check_targets(results)
    text = report(results, missed, notes, host, args.seconds)
    print("\n" + text)
    if not args.no_write:
        (ROOT / "BENCHMARKS.md").write_text(text)
        print("Written to BENCHMARKS.md.")
    print(f"Load test took {time.monotonic() - started:.0f} s.")
    if missed:
        print("Targets missed:\n" + "\n".join(f"  - {m}" for m in missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
