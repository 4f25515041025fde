"""Benchmarks for the generative lab (issue 10), for `make bench`:

- a diffusion strip, 8 frames of 256 px: uncached under 150 ms, cached under 5 ms;
- every lab page and picture request under 1 s, computed from scratch (empty cache) and again
  from the cache.

Run from the repository root: `.venv/bin/python benchmarks/lab_generative.py`. Exits 1 when a
target is missed. Production settings (DEBUG off), local-memory cache, no database queries.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genai_site.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-not-for-production-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_STATIC_FINDERS", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

from learning.lab import generative  # noqa: E402
from learning.visuals import diffusion, sample_images  # noqa: E402

STRIP_TIMESTEPS = [0, 50, 100, 250, 500, 600, 750, 999]
PAGES = [
    "/lab/diffusion/?guess=500&size=256&t=0,50,100,250,500,600,750,999",
    "/lab/diffusion/?reveal=1&mixture=ring&rschedule=cosine&samples=1000",
    "/lab/diffusion/?reveal=1&sampler=ddim&steps=1000&samples=1000",
    "/lab/vae/?reveal=1&q=32",
    "/lab/gan/?reveal=1",
    "/lab/gan/?reveal=1&lr=0.02&beta1=0.9&latent=8",
    "/lab/networks/?reveal=1&layers=4&width=32&steps=1000",
    "/lab/attention-cost/?reveal=1&n=100000000",
    "/lab/scaling/?reveal=1&params=7e9",
]
RUNS = 7


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def timed(action, runs: int = RUNS, before=None) -> list[float]:
    results = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        action()
        results.append(time.perf_counter() - started)
    return results


def main() -> int:
    setup_test_environment()
    client = Client()
    client.get("/lab/")  # first request: URL configuration and templates load
    failures = []

    def check(label: str, seconds: float, limit: float) -> None:
        verdict = "ok" if seconds < limit else "SLOW"
        if seconds >= limit:
            failures.append(label)
        print(f"  {label:<66} {_ms(seconds)}  (target < {limit * 1000:.0f} ms) {verdict}")

    print(f"Diffusion strip, 8 frames of 256 px (median of {RUNS})")
    pixels = sample_images.sample("scene", 256)
    raw = timed(lambda: diffusion.forward_strip(pixels, STRIP_TIMESTEPS, "linear", 0))
    check("forward_strip, computed", statistics.median(raw), 0.150)
    settings = generative.DiffusionSettings(t=tuple(STRIP_TIMESTEPS), size=256)
    uncached = timed(lambda: generative.diffusion_strip(settings, "linear"), before=cache.clear)
    check("diffusion_strip, empty cache (compute and store)", statistics.median(uncached), 0.150)
    cached = timed(lambda: generative.diffusion_strip(settings, "linear"))
    check("diffusion_strip, cached", statistics.median(cached), 0.005)
    url = generative.image_url("strip", {**settings.params(), "schedule": "linear"})
    served = timed(lambda: client.get(url))
    check("GET its PNG URL, cached (whole Django request)", statistics.median(served), 0.005)

    print("\nEvery lab request (slowest of cold, from an empty cache; then warm)")
    slowest = 0.0
    for page in PAGES:
        cache.clear()
        started = time.perf_counter()
        response = client.get(page)
        cold = time.perf_counter() - started
        assert response.status_code == 200, (page, response.status_code)
        warm = min(timed(lambda page=page: client.get(page), runs=3))
        found = re.findall(r'src="(/lab/img/[^"]+)"', response.content.decode())
        pictures = [u.replace("&amp;", "&") for u in found]
        picture_cold = 0.0
        for picture in pictures:
            cache.clear()  # as if another worker served the page: the picture recomputes
            started = time.perf_counter()
            assert client.get(picture).status_code == 200, picture
            picture_cold = max(picture_cold, time.perf_counter() - started)
        slowest = max(slowest, cold, picture_cold)
        print(f"  {page[:58]:<58} cold {_ms(cold)}  warm {_ms(warm)}  "
              f"slowest picture {_ms(picture_cold)} ({len(pictures)})")  # fmt: skip
    check("slowest lab request", slowest, 1.0)
    print("\n" + ("All targets met." if not failures else "Missed: " + ", ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    # As in the tests: {% static %} without a collectstatic manifest.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        sys.exit(main())
