"""Uploading an image to the diffusion lab: what is refused and why, what is kept (a small copy
with no metadata, in memory and the cache only), and when it is gone."""

import io
import struct
import time
import zlib
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image, PngImagePlugin

from learning.lab import uploads
from learning.visuals import images

URL = "/lab/diffusion/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _png(size=(64, 48), **save) -> bytes:
    pixels = np.random.default_rng(0).integers(0, 255, (*size[::-1], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, "PNG", **save)
    return buffer.getvalue()


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (120, 80), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0131] = "secret-editor"  # Software
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS: latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width × height but holds a few bytes of pixel data: a bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _post(client, data: bytes, name: str, content_type: str = "", **fields):
    upload = SimpleUploadedFile(name, data, content_type=content_type or "application/octet-stream")
    return client.post(URL, {"upload": upload, "t": "0,500", "size": "64", **fields})


def _digest_from(response) -> str:
    assert response.status_code == 303, response.content.decode()[:500]
    return parse_qs(urlsplit(response["Location"]).query)["image"][0]


def test_a_good_upload_redirects_to_a_url_that_names_it(client):
    response = _post(client, _png(), "photo.png", "image/png", seed="42")
    digest = _digest_from(response)
    assert digest.startswith("u-") and len(digest) == 34
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["seed"] == ["42"] and query["t"] == ["0,500"]  # the form's state is kept
    page = client.get(response["Location"] + "&reveal=1")
    assert page.status_code == 200
    assert "Your upload (kept for 60 minutes)" in page.content.decode()
    strip = next(u for u in page.context["strips"] if u["schedule"] == "linear")
    assert client.get(strip["url"]).status_code == 200


@pytest.mark.parametrize(
    ("maker", "name"),
    [(_jpeg_with_exif, "holiday.jpg"), (lambda: _png(pnginfo=_text_chunk()), "a.png")],
    ids=["jpeg-exif", "png-text"],
)
def test_metadata_is_stripped(client, maker, name):
    data = maker() if callable(maker) else maker
    digest = _digest_from(_post(client, data, name))
    stored = uploads.stored_png(digest)
    assert stored is not None
    kept = Image.open(io.BytesIO(stored))
    assert kept.format == "PNG" and kept.size == (256, 256) and kept.mode == "RGB"
    assert not kept.getexif()
    assert not {"exif", "icc_profile", "Comment", "Software", "GPS"} & set(kept.info)
    assert b"SpyCam" not in stored and b"secret" not in stored


def _text_chunk():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret: taken at home")
    return info


def test_webp_is_accepted(client):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (0, 120, 0)).save(buffer, "WEBP")
    _digest_from(_post(client, buffer.getvalue(), "leaf.webp", "image/webp"))


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (_png(), "photo.jpg", "", "The file is named .jpg but its content is a PNG image"),
        (b"<html><script>alert(1)</script></html>", "page.png", "", "its content is not a PNG"),
        (b"GIF89a" + b"\x00" * 40, "anim.gif", "image/gif", "Only PNG, JPEG or WebP images"),
        (_png(), "photo.png", "image/jpeg", "was sent as image/jpeg but its content is a PNG"),
        (_png(), "no-extension", "", "Only PNG, JPEG or WebP images"),
        (b"", "empty.png", "", "The file is empty."),
    ],
    ids=["png-named-jpg", "html-named-png", "gif", "lying-type", "no-extension", "empty"],
)
def test_wrong_types_are_refused(client, data, name, content_type, message):
    response = _post(client, data, name, content_type)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("width", "height"),
    [(30000, 30000), (9500, 9500)],
    ids=["bomb-error", "bomb-warning"],
)
def test_decompression_bombs_are_refused_before_decoding(client, width, height):
    response = _post(client, _png_header_only(width, height), "bomb.png")
    assert response.status_code == 400
    assert "decompression bomb" in response.content.decode()


def test_more_than_4096_pixels_a_side_is_refused(client):
    response = _post(client, _png_header_only(5000, 3000), "wide.png")
    assert response.status_code == 400
    assert "The image is 5000 × 3000 pixels; the limit is 4096 × 4096." in response.content.decode()


def test_more_than_5_mb_is_refused(client):
    data = _png() + b"\x00" * (images.MAX_BYTES + 1)
    response = _post(client, data, "huge.png")
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_truncated_file_is_refused(client, fmt):
    buffer = io.BytesIO()
    pixels = np.random.default_rng(1).integers(0, 255, (200, 200, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(buffer, fmt)
    data = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    response = _post(client, data, f"cut.{fmt.lower()}")
    assert response.status_code == 400
    assert "damaged or truncated" in response.content.decode()


def test_no_file_at_all_is_a_form_error(client):
    response = client.post(URL, {"t": "0,500"})
    assert response.status_code == 400
    assert "Choose an image file to upload." in response.content.decode()


def test_a_refused_upload_keeps_the_rest_of_the_page(client):
    response = _post(client, b"not an image", "x.png", seed="9", mixture="ring")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'name="seed" type="number" min="0" max="4294967295" value="9"' in html
    assert '<option value="ring" selected>' in html


def test_uploads_stay_in_memory(client, monkeypatch):
    # 3 MB is over Django's default in-memory limit (2.5 MB), past which it spools to a
    # temporary file on disk; ours never does.
    from django.core.files import uploadedfile

    def no_temporary_files(*args, **kwargs):
        raise AssertionError("an upload was written to disk")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", no_temporary_files)
    data = _png(size=(1024, 1024), compress_level=0)
    assert len(data) > 3 * 1024 * 1024
    _digest_from(_post(client, data, "big.png"))


def test_the_upload_form_needs_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    upload = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    assert client.post(URL, {"upload": upload}).status_code == 403


def test_uploads_expire_after_an_hour(client, monkeypatch):
    assert uploads.UPLOAD_TTL == 3600
    digest = _digest_from(_post(client, _png(), "a.png"))
    assert uploads.load(digest) is not None
    later = time.time() + uploads.UPLOAD_TTL + 1
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    assert uploads.load(digest) is None
    assert uploads.stored_png(digest) is None
    response = client.get(reverse("lab:diffusion"), {"image": digest, "reveal": "1"})
    assert response.status_code == 400
    assert "no longer kept" in response.content.decode()


def test_a_digest_must_look_like_one():
    assert uploads.load("u-../../../etc/passwd") is None
    assert uploads.load("scene") is None


def test_a_png_cut_before_its_end_is_refused(client):
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = zlib.compress(b"".join(b"\x00" + b"\x00" * 8 for _ in range(64)), 9)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/lab/diffusion/", {"upload": SimpleUploadedFile("cut.png", png[:60], "image/png")}
    )
    assert response.status_code == 400
    assert "damaged or truncated" in response.content.decode()
