"""Checks on uploaded question images: real images of an allowed type, not too large."""

from __future__ import annotations

from typing import IO

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4096 * 4096
TOO_MANY_PIXELS = "The image is {size} pixels; at most 4096x4096."


def validate_image(upload: IO[bytes], *, size: int, alt_text: str) -> str:
    """Return the image's format when acceptable; raise ValidationError naming the field."""
    if not alt_text.strip():
        raise ValidationError({"alt_text": ["Describe the image for readers who cannot see it."]})
    if size > MAX_BYTES:
        raise ValidationError(
            {"image": [f"The image is {size / 1_048_576:.1f} MB; the limit is 2 MB."]}
        )
    # The file's contents decide its type, not its name or the browser's claim. Pillow refuses
    # to open a header declaring a huge canvas (a decompression bomb) before reading pixels.
    try:
        with Image.open(upload) as image:
            image.verify()
            kind = image.format or ""
            width, height = image.size
    except Image.DecompressionBombError as error:
        raise ValidationError({"image": [TOO_MANY_PIXELS.format(size="over 4096x4096")]}) from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValidationError({"image": ["The file is not a readable image."]}) from error
    finally:
        upload.seek(0)
    if kind not in ALLOWED_FORMATS:
        allowed = ", ".join(sorted(ALLOWED_FORMATS))
        raise ValidationError(
            {"image": [f"{kind or 'This'} images are not accepted; use {allowed}."]}
        )
    if width * height > MAX_PIXELS:
        raise ValidationError({"image": [TOO_MANY_PIXELS.format(size=f"{width}x{height}")]})
    return kind
