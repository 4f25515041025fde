"""The lab's PNG route: content-addressed URLs, long cache headers, and refusals for anything a
page did not produce."""

import io
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.cache import cache
from PIL import Image

from learning.lab import generative


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _params(url: str) -> dict:
    """The picture's parameters, encoded in its one query parameter `p`."""
    return dict(parse_qsl(dict(parse_qsl(urlsplit(url).query))["p"]))


def _image_urls(client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    return [u.replace("&amp;", "&") for u in re.findall(r'src="(/lab/img/[^"]+)"', html)]


@pytest.mark.parametrize(
    "page",
    [
        "/lab/diffusion/?reveal=1&size=64&t=0,500",
        "/lab/vae/?reveal=1",
        "/lab/networks/?reveal=1&steps=100&layers=2",
    ],
)
def test_every_picture_is_a_png_cached_for_a_year(client, page):
    urls = _image_urls(client, page)
    assert urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response["ETag"].strip('"') in url
        Image.open(io.BytesIO(response.content)).verify()


def test_the_strip_has_one_frame_per_timestep(client):
    urls = _image_urls(client, "/lab/diffusion/?reveal=1&size=64&t=0,100,999")
    strip = next(u for u in urls if _params(u)["kind"] == "strip")
    image = Image.open(io.BytesIO(client.get(strip).content))
    assert image.size == (3 * 64 + 2 * 4, 64)


def test_the_same_inputs_give_the_same_url(client):
    first = _image_urls(client, "/lab/diffusion/?reveal=1&size=64")
    cache.clear()
    assert _image_urls(client, "/lab/diffusion/?reveal=1&size=64") == first
    assert _image_urls(client, "/lab/diffusion/?reveal=1&size=64&seed=1") != first


def test_a_picture_is_redrawn_after_the_cache_is_emptied(client):
    # Another worker process, or an evicted cache, must still answer the URL.
    url = _image_urls(client, "/lab/networks/?reveal=1&steps=100")[0]
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_a_query_that_does_not_match_its_digest_is_404(client):
    url = _image_urls(client, "/lab/diffusion/?reveal=1&size=64")[0]
    assert "seed%3D0" in url
    assert client.get(url.replace("seed%3D0", "seed%3D1")).status_code == 404
    path = urlsplit(url).path
    assert client.get(path).status_code == 404
    assert client.get("/lab/img/" + "0" * 32 + ".png?kind=strip").status_code == 404


def test_a_matching_digest_does_not_bypass_validation(client):
    # Anyone can compute a digest: the parameters are still checked like a page's.
    for kind, params in [
        ("strip", {"t": "5000", "schedule": "linear"}),
        ("layer", {"layers": "1", "layer": "7"}),
        ("digits", {"which": "everything"}),
        ("nonsense", {}),
    ]:
        url = generative.image_url(kind, params)
        assert client.get(url).status_code == 404, kind


def test_an_expired_upload_has_no_picture(client):
    params = {"image": "u-" + "a" * 32, "schedule": "linear"}
    assert client.get(generative.image_url("strip", params)).status_code == 404


def test_image_urls_are_canonical():
    url = generative.image_url("density", {"t": 0, "mixture": "blobs", "rschedule": "linear"})
    assert "&" not in url  # one parameter: the same URL in HTML and out of it
    assert _params(url) == {"kind": "density", "mixture": "blobs", "rschedule": "linear", "t": "0"}
    assert url == generative.image_url(
        "density", {"rschedule": "linear", "mixture": "blobs", "t": "0"}
    )
