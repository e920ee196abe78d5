"""What the worker does to an image: upright, resized, re-encoded, metadata stripped."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageOps

from app.image.formats import CONTENT_TYPE_OF_FORMAT


@dataclass(frozen=True)
class VariantSpec:
    name: str
    max_edge: int
    format: str  # WEBP, JPEG or PNG
    quality: int = 85


@dataclass(frozen=True)
class RenderedImage:
    name: str
    data: bytes
    width: int
    height: int
    content_type: str


def render_variant(original: bytes, spec: VariantSpec) -> RenderedImage:
    """Raises PIL errors (OSError, ValueError) when the original cannot be decoded."""
    if spec.format not in CONTENT_TYPE_OF_FORMAT:
        raise ValueError(f"variant {spec.name!r}: unsupported output format {spec.format!r}")
    with Image.open(BytesIO(original)) as opened:
        # Apply the EXIF orientation so the result is upright without its EXIF data.
        image = ImageOps.exif_transpose(opened)
        # thumbnail() keeps the aspect ratio and never enlarges.
        image.thumbnail((spec.max_edge, spec.max_edge), Image.Resampling.LANCZOS)
        image = _mode_for(image, spec.format)
        buffer = BytesIO()
        options: dict[str, object] = {"optimize": True}
        if spec.format in ("JPEG", "WEBP"):
            options["quality"] = spec.quality
        image.save(buffer, format=spec.format, **options)
        return RenderedImage(
            name=spec.name,
            data=buffer.getvalue(),
            width=image.width,
            height=image.height,
            content_type=CONTENT_TYPE_OF_FORMAT[spec.format],
        )


def _mode_for(image: Image.Image, image_format: str) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image_format == "JPEG":
        if has_alpha:
            # JPEG has no alpha: composite on white rather than on black.
            rgba = image.convert("RGBA")
            background = Image.new("RGB", rgba.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
            return background
        return image.convert("RGB") if image.mode != "RGB" else image
    if image.mode not in ("RGB", "RGBA"):
        return image.convert("RGBA" if has_alpha else "RGB")
    return image
