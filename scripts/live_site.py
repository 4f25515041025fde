"""A live site for the checks that drive one over HTTP (scale_out_check.py,
concurrency_check.py): a scratch PostgreSQL database, a clean Redis database, `manage.py` run as a
deployment runs it, gunicorn app servers on free loopback ports, and a browser that reaches them
as the TLS proxy in front of production does."""

from __future__ import annotations

import http.client
import json
import os
import re
import urllib.parse
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import processes
from processes import gunicorn, postgres_database

POSTGRES_URL = os.environ.get("CHECK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CHECK_REDIS_URL", "redis://127.0.0.1:6379/11")
PUBLIC_HOST = "guide.example.test"
ORIGIN = f"https://{PUBLIC_HOST}"


class CheckFailed(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
    print(f"  ok: {what}", flush=True)


# --- processes ------------------------------------------------------------------------------


def manage(env: dict[str, str], *args: str) -> str:
    try:
        return processes.manage(env, *args)
    except RuntimeError as exc:
        raise CheckFailed(str(exc)) from None


def scratch_database(prefix: str) -> AbstractContextManager[str]:
    """A new, empty PostgreSQL database for one run (POSTGRES_URL's server); its URL."""
    return postgres_database(prefix, POSTGRES_URL)


@contextmanager
def empty_redis(url: str) -> Iterator[None]:
    """A Redis database (the checks use 11; nothing else does), empty before and after."""
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield
    finally:
        client.flushdb()
        client.close()


@contextmanager
def app_server(name: str, env: dict[str, str], log_path: Path) -> Iterator[int]:
    """A production server named `name` (as the checks' messages call it); its port."""

    def is_up(port: int) -> bool:
        return Browser({name: port}).request(name, "GET", "/healthz").status == 200

    with ExitStack() as stack:
        try:
            port, process = stack.enter_context(gunicorn(env, log_path, is_up))
        except RuntimeError as exc:  # it did not start
            raise CheckFailed(f"server {name}: {exc}") from None
        print(f"  server {name} on 127.0.0.1:{port} (pid {process.pid})", flush=True)
        yield port


# --- a browser behind the load balancer -----------------------------------------------------


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: str):
        self.status, self.headers, self.body = status, headers, body

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Browser:
    """Sends each request to the server named, as the load balancer would: one public host,
    HTTPS said by the proxy headers. Keeps cookies by hand (they are Secure, and the loopback
    hop is plain HTTP)."""

    def __init__(self, servers: dict[str, int], address: str = "203.0.113.7", agent: str = "check"):
        self.servers = servers
        self.address = address  # the client's address, as the proxy reports it
        self.agent = agent
        self.cookies: dict[str, str] = {}

    def request(
        self,
        server: str,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.servers[server], timeout=30)
        sent = {
            "Host": PUBLIC_HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "User-Agent": self.agent,
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent |= headers or {}
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, text)

    def get(self, server: str, path: str) -> Response:
        return self.request(server, "GET", path)

    def post_form(self, server: str, path: str, fields: dict[str, str], referer: str) -> Response:
        """A form POST as a browser sends it over HTTPS: Origin and Referer of the public site."""
        return self.request(
            server,
            "POST",
            path,
            body=urllib.parse.urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": ORIGIN,
                "Referer": ORIGIN + referer,
            },
        )

    def api(
        self, server: str, method: str, path: str, data: dict, token: str | None = None
    ) -> Response:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        return self.request(server, method, path, body=json.dumps(data), headers=headers)


def csrf_token(page: Response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if not match:
        raise CheckFailed("no CSRF token in the page's form")
    return match.group(1)
