"""Image preparation before OCR (Pillow): grayscale, dark mode turned dark-on-light, narrow images upscaled.

Tesseract is trained on dark text on a light page; it reads light text on a dark background (dark themes)
badly or not at all, and small text (half-size screenshots) badly. So: flatten transparency onto white,
convert to grayscale, invert when the mean luminance says the image is mostly dark, and upscale images
narrower than ``upscale_below`` pixels by an integer factor (boxes are divided back by the same factor).

Known limits: the dark-mode decision is for the whole image, so a light screenshot with dark bubbles (or the
reverse) keeps its minority regions as they are; bubble-by-bubble flattening needs the layout first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, ImageStat


@dataclass(frozen=True)
class PreprocessSettings:
    """How images are prepared; recorded with the OCR settings."""

    upscale_below: int = 1000  # width in pixels under which the image is upscaled
    scale: int = 2
    dark_below: int = 128  # mean luminance (0-255) under which the image is read as dark mode and inverted

    def to_json(self) -> dict[str, Any]:
        """Canonical-JSON-ready form."""
        return {"upscale_below": self.upscale_below, "scale": self.scale, "dark_below": self.dark_below}


@dataclass(frozen=True)
class Prepared:
    """The grayscale image handed to the engine and what was done to it."""

    image: Image.Image
    scale: int  # 1, or the factor boxes must be divided by
    inverted: bool
    mean_luminance: int  # 0-255, of the grayscale image before inversion


def prepare(image: Image.Image, settings: PreprocessSettings | None = None) -> Prepared:
    """Grayscale copy of ``image``, inverted when dark, upscaled when narrow."""
    chosen = settings or PreprocessSettings()
    rgba = image.convert("RGBA")
    page = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    page.alpha_composite(rgba)
    gray = page.convert("L")
    mean = int(ImageStat.Stat(gray).mean[0])
    inverted = mean < chosen.dark_below
    if inverted:
        gray = ImageOps.invert(gray)
    scale = 1
    if gray.width < chosen.upscale_below and chosen.scale > 1:
        scale = chosen.scale
        gray = gray.resize((gray.width * scale, gray.height * scale), Image.Resampling.LANCZOS)
    return Prepared(image=gray, scale=scale, inverted=inverted, mean_luminance=mean)
