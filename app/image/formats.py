"""Which images the API accepts, checked against the bytes rather than the client's word."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from PIL import Image, UnidentifiedImageError

# Content type -> Pillow format name.
ACCEPTED_TYPES: dict[str, str] = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
}
CONTENT_TYPE_OF_FORMAT: dict[str, str] = {fmt: ctype for ctype, fmt in ACCEPTED_TYPES.items()}


class UnsupportedImage(ValueError):
    """Not an image, or not one of the accepted formats."""


@dataclass(frozen=True)
class ImageInfo:
    format: str
    content_type: str
    width: int
    height: int


def inspect_image(data: bytes) -> ImageInfo:
    """Read the header (not the pixels) and say what the bytes really are."""
    try:
        with Image.open(BytesIO(data)) as image:
            image_format = image.format or ""
            width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise UnsupportedImage(f"not a readable image: {error}") from None
    content_type = CONTENT_TYPE_OF_FORMAT.get(image_format)
    if content_type is None:
        raise UnsupportedImage(
            f"{image_format or 'unknown'} images are not accepted; "
            f"send one of {', '.join(ACCEPTED_TYPES)}"
        )
    return ImageInfo(image_format, content_type, width, height)
