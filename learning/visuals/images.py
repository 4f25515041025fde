"""Checks a learner's uploaded image and turns it into the small, clean picture the lab uses.

Refused, each with a message that says why: more than 5 MB; a name that is not .png, .jpg,
.jpeg or .webp; content that is not what the name (or the declared type) says; more than
4096 × 4096 pixels; a decompression bomb (Pillow's DecompressionBombWarning/Error, raised before
the pixels are decoded); a damaged or truncated file. What is kept is re-encoded from the
pixels alone, so EXIF (camera, GPS), ICC profiles and text chunks are gone.
"""

from __future__ import annotations

import io
import warnings
from pathlib import PurePosixPath

import numpy as np
from PIL import Image, ImageOps

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4096
DERIVED_SIDE = 256  # the largest frame the diffusion strip draws
# Pillow format → (MIME type, file name extensions)
FORMATS = {
    "PNG": ("image/png", (".png",)),
    "JPEG": ("image/jpeg", (".jpg", ".jpeg")),
    "WEBP": ("image/webp", (".webp",)),
}
NEUTRAL_TYPES = ("", "application/octet-stream")  # a browser that does not know the type


class ImageRejected(ValueError):
    """The upload is refused; `str(error)` is the message for the learner."""


def sniff(data: bytes) -> str | None:
    """The format the bytes' signature says (PNG, JPEG, WEBP), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def open_checked(data: bytes, filename: str, content_type: str = "") -> Image.Image:
    """The upload decoded (first frame), after every check; raises ImageRejected."""
    if not data:
        raise ImageRejected("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImageRejected(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB."
        )
    suffix = PurePosixPath(filename or "").suffix.lower()
    named = next((fmt for fmt, (_, suffixes) in FORMATS.items() if suffix in suffixes), None)
    if named is None:
        raise ImageRejected(
            "Only PNG, JPEG or WebP images (.png, .jpg, .jpeg, .webp) are accepted."
        )
    actual = sniff(data)
    if actual is None:
        raise ImageRejected(
            f"The file is named {suffix} but its content is not a PNG, JPEG or WebP image."
        )
    if actual != named:
        raise ImageRejected(
            f"The file is named {suffix} but its content is a {actual} image; "
            "rename it or export it again."
        )
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in NEUTRAL_TYPES and declared != FORMATS[actual][0]:
        raise ImageRejected(f"The file was sent as {declared} but its content is a {actual} image.")
    try:
        with warnings.catch_warnings():
            # Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that; both are
            # refusals here. Only the header is read at this point.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[actual])
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE:
                raise ImageRejected(
                    f"The image is {width} × {height} pixels; the limit is {MAX_SIDE} × {MAX_SIDE}."
                )
            if actual == "JPEG":
                # Decode at reduced scale when the JPEG is much larger than we need.
                image.draft("RGB", (DERIVED_SIDE * 2, DERIVED_SIDE * 2))
            image.load()
            if actual == "PNG":
                # Pillow decodes a PNG cut after its pixel data; verify() also reads the chunks
                # to the end (IEND) and checks their CRCs, so a truncated file is refused.
                Image.open(io.BytesIO(data), formats=["PNG"]).verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRejected(
            "The image declares far more pixels than its file size allows (a decompression "
            "bomb); it was not decoded."
        ) from error
    except ImageRejected:
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageRejected("The image is damaged or truncated and could not be read.") from error
    return image


def derive(image: Image.Image, side: int = DERIVED_SIDE) -> np.ndarray:
    """The picture the lab keeps: orientation applied, transparency flattened onto white, the
    centre square, `side` × `side` RGB pixels (uint8)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        image = flat
    image = ImageOps.fit(image.convert("RGB"), (side, side), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.uint8).copy()


def clean_png(pixels: np.ndarray) -> bytes:
    """PNG bytes made from the pixels alone: no metadata can survive."""
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, "PNG")
    return buffer.getvalue()


def read_png(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
