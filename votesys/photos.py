"""Photos sent by users (a unit's progress report, a citizen's opinion), checked and
re-encoded: JPEG or PNG, within a size in bytes and in pixels; the stored bytes are Pillow's
own, so EXIF (GPS, camera, owner) and any trailing data are gone."""

from __future__ import annotations

import io
import threading
import warnings
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from votesys.errors import InvalidInput, invalid

PHOTO_MAX_SIDE = 2000
# A photo of more pixels is refused from its header, before it is decoded: 16 megapixels
# (4000 × 4000) take 64 MB once decoded, a PNG of 88 megapixels can be sent in 344 KB.
PHOTO_MAX_PIXELS = 4000 * 4000
# Decoding and re-encoding photos at most this many at a time in a server process, whatever
# its number of threads: each holds up to a few hundred MB and a core for a second or so.
_DECODING = threading.BoundedSemaphore(2)


def max_bytes() -> int:
    """The largest photo accepted, in bytes (PHOTO_MAX_BYTES, 5 MB by default)."""
    return current_app.config.get("PHOTO_MAX_BYTES", 5 * 1024 * 1024)


def process_photo(
    filename: str, content: bytes, index: int = 0, *, field_name: str = "photos"
) -> dict[str, Any]:
    """Check a photo (JPEG or PNG, within the size and pixel limits) and re-encode it."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # Pillow: loaded when a photo comes

    # Image.open reads the header only, and refuses (DecompressionBombError) an image of more
    # than twice Pillow's limit; above the limit it warns (an error here).
    Image.MAX_IMAGE_PIXELS = PHOTO_MAX_PIXELS
    field = f"{field_name}[{index}]"
    too_many_pixels = invalid(
        field,
        _l(
            "more than %(mp)s megapixels: please send a smaller photo",
            mp=PHOTO_MAX_PIXELS // 1_000_000,
        ),
    )
    limit = max_bytes()
    if len(content) > limit:
        raise InvalidInput("photo_too_large", name=filename[:80], mb=limit // (1024 * 1024))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as img:
                if img.format not in ("JPEG", "PNG"):
                    raise invalid(field, _l("a JPEG or PNG photo"))
                if img.width * img.height > PHOTO_MAX_PIXELS:
                    raise too_many_pixels
                fmt = img.format
                with _DECODING:
                    img.load()
                    img = ImageOps.exif_transpose(img)
                    img.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
                    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                        img = img.convert("RGB")
                    out = io.BytesIO()
                    if fmt == "JPEG":
                        img.save(out, "JPEG", quality=85, optimize=True)
                    else:
                        img.save(out, "PNG", optimize=True)
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
    ):
        raise invalid(field, _l("not a readable JPEG or PNG photo")) from None
    mime = "image/jpeg" if fmt == "JPEG" else "image/png"
    return {"mime": mime, "width": img.width, "height": img.height, "data": out.getvalue()}
