"""Serving attachments: the name a download gets, and thumbnails made once.

Uploads are checked by their content (``services.check_uploads``) and stored under the
detected type's extension; the name people gave is kept for display. A download keeps
that name's stem with the detected type's extension: a PNG uploaded as ``报告.html`` is
served as ``报告.png``, never as something a browser or a desktop would open as a page.

A thumbnail is made on its first request and stored (``thumbnails/<file>.jpg`` in the
same storage); every later request serves the stored one. An image whose header says
it has more than :data:`MAX_THUMBNAIL_PIXELS` pixels is never decoded (a 12 000 × 12 000
PNG is 430 MB of pixels): it gets a placeholder and is still served in full on request."""

from __future__ import annotations

import io
import logging
import re

from django.core.files.base import ContentFile
from django.http import HttpResponse

from .services import ALLOWED_UPLOAD_TYPES

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = (480, 480)
#: 50 megapixels: a phone's largest ordinary photo (8160 × 6120) still gets a thumbnail.
MAX_THUMBNAIL_PIXELS = 50_000_000
THUMBNAIL_DIR = "thumbnails"
CACHE_CONTROL = "private, max-age=86400"

#: Shown instead of a thumbnail that cannot be made (too large, not decodable).
PLACEHOLDER_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360" viewBox="0 0 48 36">'
    b'<rect width="48" height="36" fill="#e9ecef"/>'
    b'<path d="M14 26l7-9 5 6 3-4 5 7z" fill="#adb5bd"/><circle cx="30" cy="12" r="3" '
    b'fill="#adb5bd"/></svg>'
)

_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def download_name(attachment) -> str:
    """The uploader's name with the extension of the type the content was found to be."""
    name = _UNSAFE_IN_NAME.sub("_", attachment.original_name or "").strip()
    stem = name.rsplit(".", 1)[0].strip() if "." in name else name
    extension = ALLOWED_UPLOAD_TYPES.get(attachment.content_type)
    return f"{stem or 'file'}.{extension}" if extension else stem or "file"


def thumbnail_name(attachment) -> str:
    return f"{THUMBNAIL_DIR}/{attachment.file.name}.jpg"


def thumbnail(attachment) -> bytes | None:
    """The stored thumbnail, made and stored first if need be; None when the image is
    too large to decode or cannot be decoded."""
    storage = attachment.file.storage
    name = thumbnail_name(attachment)
    try:
        with storage.open(name, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        pass
    data = make_thumbnail(attachment)
    if data is not None:
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # made at the same moment by another request: keep one
            storage.delete(saved)
    return data


def make_thumbnail(attachment) -> bytes | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with attachment.file.open("rb") as handle, Image.open(handle) as image:
            # ``open`` reads the header only: refuse before any pixel is decoded.
            width, height = image.size
            if width * height > MAX_THUMBNAIL_PIXELS:
                logger.info(
                    "no thumbnail for attachment %s: %d × %d pixels", attachment.pk, width, height
                )
                return None
            # Shrink first (a JPEG is decoded at a fraction of its size), then turn the
            # small copy upright as its EXIF orientation says.
            image.thumbnail(THUMBNAIL_SIZE)
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=78)
            return out.getvalue()
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None


def thumbnail_response(attachment) -> HttpResponse:
    data = thumbnail(attachment)
    if data is None:
        response = HttpResponse(PLACEHOLDER_SVG, content_type="image/svg+xml")
    else:
        response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = CACHE_CONTROL
    return response
