"""Learners' uploaded images: received in memory, checked, reduced, kept briefly in the cache.

- The upload handler keeps the file in memory (never a temporary file on disk) and stops
  reading it into memory past the 5 MB limit.
- Only the derived picture (256 × 256 RGB, re-encoded PNG, no metadata) is stored, in the Django
  cache under the hash of its pixels, for UPLOAD_TTL seconds (one hour). The cache's expiry is
  the clean-up: nothing is written to disk or to the database. A URL naming an expired upload
  says so and asks for the file again.
"""

from __future__ import annotations

import hashlib
import io
import re

import numpy as np
from django.core.cache import cache
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from learning.visuals import images

UPLOAD_TTL = 60 * 60  # seconds
PREFIX = "u-"
DIGEST = re.compile(r"^u-[0-9a-f]{32}$")


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Collects each uploaded file in memory; a file over `images.MAX_BYTES` is dropped as it
    streams in (the rest of it is read and discarded) and `too_big` is set."""

    def __init__(self, request=None, limit: int = images.MAX_BYTES):
        super().__init__(request)
        self.limit = limit
        self.too_big = False
        self.buffer = io.BytesIO()
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_big = True
            raise SkipFile()
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer,
            self.field_name,
            self.file_name,
            self.content_type,
            file_size,
            self.charset,
            self.content_type_extra,
        )


def _key(digest: str) -> str:
    return f"lab:upload:{digest}"


def store(pixels: np.ndarray) -> str:
    """Keeps the derived picture for UPLOAD_TTL seconds; returns its name ("u-" + hash)."""
    digest = PREFIX + hashlib.sha256(pixels.tobytes()).hexdigest()[:32]
    cache.set(_key(digest), images.clean_png(pixels), UPLOAD_TTL)
    return digest


def load(digest: str) -> np.ndarray | None:
    """The stored picture, or None when the name is malformed or the upload has expired."""
    if not DIGEST.match(digest):
        return None
    data = cache.get(_key(digest))
    return images.read_png(data) if data is not None else None


def stored_png(digest: str) -> bytes | None:
    return cache.get(_key(digest)) if DIGEST.match(digest) else None
