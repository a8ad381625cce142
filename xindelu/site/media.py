"""Media beside articles: images (downscaled for phones) and video files, copied next to the page.

An article at content/articles/2026/x.md referencing ``photo.jpg`` is published at
/articles/<slug>/ with the image at /articles/<slug>/photo.jpg, so the sanitised body HTML
keeps its relative links unchanged.
"""

from __future__ import annotations

import io
import posixpath
from pathlib import Path

from xindelu.core.errors import ContentError, ContentErrors
from xindelu.site.model import Site

# Phones are ~390 CSS px wide at up to 3x density; wider images only cost bandwidth.
MAX_WIDTH = 1200
_RESIZABLE = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


def media_outputs(root: Path, site: Site) -> dict[str, bytes]:
    outputs: dict[str, bytes] = {}
    errors: list[ContentError] = []
    for view in site.articles:
        article = view.entry.article
        folder = (root / article.path).parent
        page = "site/" + view.entry.path
        for src in article.images:
            rel = posixpath.normpath(src)
            outputs[page + rel] = downscale(folder / rel)  # existence was checked by `check`
        if view.video and "://" not in view.video and not view.video.startswith("//"):
            file = folder / article.video
            if not file.is_file():
                errors.append(
                    ContentError(
                        article.path,
                        0,
                        f"找不到视频文件“{article.video}”",
                        "请把视频放在文章旁边，或写完整的网址（https://…）",
                    )
                )
                continue
            outputs[page + view.video] = file.read_bytes()
    if errors:
        raise ContentErrors(errors)
    return outputs


def downscale(file: Path) -> bytes:
    """The image's bytes, re-encoded at MAX_WIDTH when it is wider; other files as they are."""
    data = file.read_bytes()
    kind = _RESIZABLE.get(file.suffix.lower())
    if kind is None:
        return data
    from PIL import Image  # Pillow: already required by WeasyPrint

    with Image.open(io.BytesIO(data)) as image:
        if image.width <= MAX_WIDTH:
            return data
        height = round(image.height * MAX_WIDTH / image.width)
        resized = image.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        options = {"quality": 85, "optimize": True} if kind in ("JPEG", "WEBP") else {"optimize": True}
        resized.save(out, kind, **options)
        return out.getvalue()
