"""What the worker does to an image (app/image/processing.py) and what uploads may be."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.image.formats import UnsupportedImage, inspect_image
from app.image.processing import VariantSpec, render_variant


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_resizes_to_the_long_edge_keeping_the_aspect_ratio() -> None:
    original = encoded(Image.new("RGB", (3000, 1500), "navy"), "PNG")
    result = render_variant(original, VariantSpec("large", 1280, "WEBP", 80))
    assert (result.width, result.height) == (1280, 640)
    assert result.content_type == "image/webp"
    assert decoded(result.data).format == "WEBP"
    assert decoded(result.data).size == (1280, 640)


def test_never_enlarges() -> None:
    original = encoded(Image.new("RGB", (100, 50), "navy"), "JPEG")
    result = render_variant(original, VariantSpec("large", 1280, "JPEG", 85))
    assert (result.width, result.height) == (100, 50)


def test_applies_exif_orientation_and_drops_the_metadata() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "CameraMaker"  # Make: personal metadata that must not survive
    original = encoded(Image.new("RGB", (400, 200), "red"), "JPEG", exif=exif)
    result = render_variant(original, VariantSpec("large", 1000, "JPEG", 85))
    image = decoded(result.data)
    assert image.size == (200, 400)
    assert dict(image.getexif()) == {}


def test_transparency_becomes_white_in_jpeg_and_stays_in_webp() -> None:
    transparent = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    original = encoded(transparent, "PNG")
    as_jpeg = decoded(render_variant(original, VariantSpec("j", 10, "JPEG", 95)).data)
    assert as_jpeg.mode == "RGB"
    assert all(channel > 240 for channel in as_jpeg.getpixel((5, 5)))
    as_webp = decoded(render_variant(original, VariantSpec("w", 10, "WEBP", 95)).data)
    assert as_webp.mode == "RGBA"
    assert as_webp.getpixel((5, 5))[3] == 0


def test_palette_images_are_converted() -> None:
    original = encoded(Image.new("P", (20, 20), 3), "PNG")
    result = render_variant(original, VariantSpec("p", 10, "PNG"))
    assert decoded(result.data).mode in ("RGB", "RGBA")
    assert (result.width, result.height) == (10, 10)


def test_a_broken_image_raises_for_the_worker_to_report() -> None:
    original = encoded(Image.new("RGB", (300, 300), "red"), "JPEG")[:400]
    with pytest.raises(OSError):
        render_variant(original, VariantSpec("large", 100, "WEBP"))


def test_an_unknown_output_format_is_refused() -> None:
    original = encoded(Image.new("RGB", (10, 10)), "PNG")
    with pytest.raises(ValueError, match="unsupported output format 'GIF'"):
        render_variant(original, VariantSpec("g", 10, "GIF"))


@pytest.mark.parametrize(
    "fmt, content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_inspect_reads_the_real_type(fmt: str, content_type: str) -> None:
    info = inspect_image(encoded(Image.new("RGB", (30, 20)), fmt))
    assert (info.content_type, info.width, info.height) == (content_type, 30, 20)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "not a readable image"),
        (b"GIF89a not really", "not a readable image"),
        (encoded(Image.new("RGB", (5, 5)), "GIF"), "GIF images are not accepted"),
        (encoded(Image.new("RGB", (5, 5)), "BMP"), "BMP images are not accepted"),
    ],
)
def test_inspect_refuses_other_things(data: bytes, message: str) -> None:
    with pytest.raises(UnsupportedImage, match=message):
        inspect_image(data)
