"""Fuzz the REST API with schemathesis against a live server (`make fuzz-api`, run by .ci/run).

Starts gunicorn in production mode on a free loopback port over a scratch SQLite database with
the content loaded, then runs schemathesis over every operation with `--checks all` three times:
as an anonymous client, with a learner's token (the me/ endpoints) and with an instructor's token
(the content writes). Exits non-zero when any run finds a failure; the server always stops.

Usage: .venv/bin/python scripts/fuzz_api.py [--max-examples N] [extra schemathesis options]
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from processes import gunicorn

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LEARNER = "fuzz-learner"
INSTRUCTOR = "fuzz-instructor"


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, input=stdin, text=True,
        check=True,
    )  # fmt: skip


def is_up(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
        return response.status == 200


def token_for(base: str, username: str, password: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def fuzz(
    base: str, password: str, max_examples: int, extra: list[str], cwd: Path, clients: list[str]
) -> list[str]:
    """Runs schemathesis as each kind of client; returns the names of the runs that failed."""
    runs = {
        "anonymous": [],
        "learner": ["-H", f"Authorization: Token {token_for(base, LEARNER, password)}"],
        "instructor": ["-H", f"Authorization: Token {token_for(base, INSTRUCTOR, password)}"],
    }
    failed = []
    for name, auth in runs.items():
        if name not in clients:
            continue
        command = [
            str(BIN / "schemathesis"), "--config-file", str(ROOT / "schemathesis.toml"),
            "run", f"{base}/api/schema/?format=json",
            "--checks", "all", "--generation-allow-x00", "false",
            "--max-examples", str(max_examples), "--workers", "2",
            # Revoking the token would sign the rest of the run out.
            "--exclude-operation-id", "auth_token_destroy",
            *auth, *extra,
        ]  # fmt: skip
        print(f"== schemathesis as {name}", flush=True)
        returncode = subprocess.run(command, cwd=cwd).returncode
        print(f"== schemathesis as {name}: exit code {returncode}", flush=True)
        if returncode != 0:
            failed.append(name)
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=20, help="examples per operation")
    parser.add_argument(
        "--as",
        dest="clients",
        action="append",
        choices=["anonymous", "learner", "instructor"],
        help="run only as these clients (repeatable; all three by default)",
    )
    options, extra = parser.parse_known_args()

    scratch = Path(tempfile.mkdtemp(prefix="fuzz-api-"))
    password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback, no TLS proxy in front
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "DJANGO_API_THROTTLE_ANON": "1000000/min",
        "DJANGO_API_THROTTLE_USER": "1000000/min",
        "DJANGO_API_NUM_PROXIES": "0",
        "INSTRUCTOR_PASSWORD": password,
        "REDIS_URL": "",
        "WEB_CONCURRENCY": "2",
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_content")
    manage(env, "create_instructor", INSTRUCTOR, "--email", "instructor@example.org")
    manage(
        env,
        "shell",
        "-c",
        "from accounts.models import User; "
        f"User.objects.create_user({LEARNER!r}, 'learner@example.org', {password!r})",
    )

    try:
        with gunicorn(env, scratch / "server.log", is_up) as (port, _):
            clients = options.clients or ["anonymous", "learner", "instructor"]
            failed = fuzz(
                f"http://127.0.0.1:{port}", password, options.max_examples, extra, scratch, clients
            )
    except RuntimeError as exc:  # it did not start
        raise SystemExit(str(exc)) from None
    if failed:
        print(f"schemathesis found failures as: {', '.join(failed)}; server log in {scratch}")
        return 1
    print("schemathesis: no failures in any run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
