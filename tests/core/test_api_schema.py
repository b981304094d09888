"""The OpenAPI document generates cleanly and the browsable docs work offline, under the
strict Content-Security-Policy: no CDN, no inline script."""

import re

import pytest
import yaml
from django.core.management import call_command

CDN_MARKERS = ("cdn.", "jsdelivr", "unpkg", "cdnjs", "googleapis")


def test_schema_generates_without_warnings_and_validates(tmp_path):
    path = tmp_path / "schema.yaml"
    # --fail-on-warn turns any drf-spectacular warning into an error.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    paths = schema["paths"]
    for expected in (
        "/api/v1/stores/{code}/",
        "/api/v1/regions/{code}/",
        "/api/v1/departments/{code}/",
        "/api/v1/users/{username}/",
    ):
        assert "put" in paths[expected], expected
    assert "knoxApiToken" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_schema_endpoint_serves_openapi(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert "/api/v1/stores/" in body["paths"]


@pytest.mark.django_db
def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    for marker in CDN_MARKERS:
        assert marker not in html, marker
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    # Every local asset the page needs is actually served.
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_docs_page_has_no_inline_script(client):
    """The CSP says ``script-src 'self'``: an inline script would be blocked and the page
    would stay blank."""
    response = client.get("/api/v1/docs/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.content.decode(), re.S)
    assert scripts
    for attrs, body in scripts:
        assert "src=" in attrs and not body.strip(), attrs
