"""Attachments as they are served: a thumbnail is made once and stored, an image too
large to decode safely gets a placeholder and is never decoded, and a download carries
the extension of the type its content was found to be, not the uploader's."""

import io
import urllib.parse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from issues import attachments, services
from tests.factories import new_issue, png

pytestmark = pytest.mark.django_db

HUGE = (12_000, 12_000)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def decoded(monkeypatch):
    """Every image Pillow decodes in this test, as its size."""
    sizes = []
    real = ImageFile.ImageFile.load

    def load(self):
        sizes.append(self.size)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


def huge_png() -> SimpleUploadedFile:
    """12 000 × 12 000 pixels (one bit each, all white): 40 KB on disk, 144 megapixels
    (430 MB as RGB) once decoded."""
    buffer = io.BytesIO()
    Image.new("1", HUGE, 1).save(buffer, format="PNG")
    return SimpleUploadedFile("海报.png", buffer.getvalue(), content_type="image/png")


def url(issue, attachment, query=""):
    return f"/issues/{issue.number}/files/{attachment.pk}/{query}"


def test_a_huge_image_is_never_decoded_for_a_thumbnail(cast, client, decoded):
    issue = new_issue(cast, files=[huge_png()])
    attachment = issue.attachments.get()
    client.force_login(cast.manager)
    for _ in range(2):
        thumb = client.get(url(issue, attachment, "?thumb=1"))
        assert thumb.status_code == 200
        assert thumb["Content-Type"] == "image/svg+xml"  # the placeholder
        assert thumb.content.startswith(b"<svg")
    assert decoded == []
    # The file itself is still there for who wants it.
    full = client.get(url(issue, attachment, "?download=1"))
    assert full.status_code == 200 and full["Content-Type"] == "image/png"


def test_a_thumbnail_is_made_once_and_stored(cast, client, decoded):
    issue = new_issue(cast, files=[png("crash.png", size=(1600, 1200))])
    attachment = issue.attachments.get()
    client.force_login(cast.manager)
    first = client.get(url(issue, attachment, "?thumb=1"))
    assert first.status_code == 200 and first["Content-Type"] == "image/jpeg"
    assert decoded  # made from the image
    made = len(decoded)
    storage = attachment.file.storage
    assert storage.exists(attachments.thumbnail_name(attachment))
    with Image.open(io.BytesIO(first.content)) as image:
        assert image.size == (480, 360)

    again = client.get(url(issue, attachment, "?thumb=1"))
    assert again.content == first.content
    assert len(decoded) == made  # served from storage, nothing decoded again


def test_a_thumbnail_is_upright(cast, client):
    """A phone photo held upright: stored landscape with an EXIF orientation."""
    buffer = io.BytesIO()
    photo = Image.new("RGB", (1200, 600), (30, 120, 200))
    exif = photo.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to show
    photo.save(buffer, format="JPEG", exif=exif.tobytes())
    upload = SimpleUploadedFile("upright.jpg", buffer.getvalue(), content_type="image/jpeg")
    issue = new_issue(cast, files=[upload])
    client.force_login(cast.manager)
    thumb = client.get(url(issue, issue.attachments.get(), "?thumb=1"))
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert image.size == (240, 480)


def _filename(response) -> str:
    header = response["Content-Disposition"]
    if "filename*=" in header:
        return urllib.parse.unquote(header.split("filename*=utf-8''", 1)[1])
    return header.split('filename="', 1)[1].rstrip('"')


@pytest.mark.parametrize(
    ("uploaded_as", "served_as"),
    [
        ("报告.html", "报告.png"),
        ("invoice.svg", "invoice.png"),
        ("photo.PNG", "photo.png"),
        ("no-extension", "no-extension.png"),
        (".htaccess", "file.png"),
        ("a.b.exe", "a.b.png"),
    ],
)
def test_downloads_carry_the_detected_types_extension(cast, client, api, uploaded_as, served_as):
    issue = new_issue(cast, files=[png(uploaded_as)])
    attachment = issue.attachments.get()
    assert attachment.original_name == uploaded_as  # shown as the uploader named it
    client.force_login(cast.manager)
    for query in ("?download=1", ""):
        response = client.get(url(issue, attachment, query))
        assert response["Content-Type"] == "image/png"
        assert _filename(response) == served_as
        kind = "attachment" if query else "inline"
        assert response["Content-Disposition"].startswith(kind)
    response = api.as_(cast.manager).get(
        f"/api/v1/issues/{issue.number}/attachments/{attachment.pk}/"
    )
    assert response.status_code == 200
    assert _filename(response) == served_as


def test_a_pdf_named_like_a_program_downloads_as_pdf(cast, client):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("setup.exe", pdf, content_type="application/octet-stream")
    issue = new_issue(cast)
    (attachment,) = services.add_attachments(issue=issue, actor=cast.manager, files=[upload])
    client.force_login(cast.manager)
    response = client.get(url(issue, attachment, "?download=1"))
    assert response["Content-Type"] == "application/pdf"
    assert _filename(response) == "setup.pdf"
