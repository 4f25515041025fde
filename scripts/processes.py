"""Starting and stopping what the scripts that drive a live site need (fuzz_api.py,
scale_out_check.py, concurrency_check.py, benchmarks/load.py): a free loopback port, gunicorn
as `make serve` runs it, a scratch PostgreSQL database, and stopping a process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """`manage.py ARGS` as a deployment runs it; its output. RuntimeError when it fails."""
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM to the process group (gunicorn's master and workers, or locust), then SIGKILL."""
    if process.poll() is not None:
        return
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


@contextmanager
def gunicorn(
    env: dict[str, str], log_path: Path, is_up: Callable[[int], bool]
) -> Iterator[tuple[int, subprocess.Popen]]:
    """The production server (genai_site/gunicorn.conf.py) on a free loopback port, its output in
    log_path; (port, process) once is_up(port) says so. RuntimeError, with the log's end, when
    it exits or is not up within 90 s. Always stopped, workers and all."""
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(GUNICORN), "genai_site.wsgi:application", "-c", "genai_site/gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{log_path.read_text()[-3000:]}")
            with suppress(OSError):
                if is_up(port):
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.25)
        yield port, process
    finally:
        stop_group(process)


@contextmanager
def postgres_database(prefix: str, admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one run, next to admin_url's; its URL. Dropped
    afterwards, even with connections still open."""
    import psycopg

    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
