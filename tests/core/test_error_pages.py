"""What users get instead of Django's debug pages: ``make run`` serves with debug off
(static files through WhiteNoise's finders, no collectstatic), Chinese 404 and 500 pages
in the app's layout, and an API root that answers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_a_store_manager_gets_the_chinese_404_page_in_the_layout(cast, client):
    client.force_login(cast.manager)
    response = client.get("/issues/systemic/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "404.html"
    html = response.content.decode()
    assert 'data-testid="not-found"' in html and "页面不存在" in html
    assert 'data-testid="nav-items"' in html  # the navigation, a way on
    assert "URLconf" not in html and "Page not found" not in html


def test_an_unknown_address_gets_it_too(cast, client):
    client.force_login(cast.head)
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and 'data-testid="not-found"' in response.content.decode()


def test_the_500_page_is_chinese_and_needs_no_request_context():
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert 'data-testid="server-error"' in html and "服务器出错" in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html  # the app's layout


@pytest.mark.parametrize("who", ["anonymous", "head", "dms"])
def test_the_api_root_answers_with_an_index(cast, client, api, who):
    caller = client if who == "anonymous" else api.as_(getattr(cast, who))
    response = caller.get("/api/v1/")
    assert response.status_code == 200
    index = response.json()
    assert index["schema"] == "/api/v1/schema/" and index["docs"] == "/api/v1/docs/"
    assert index["endpoints"]["issue"] == "/api/v1/issues/"
    assert index["endpoints"]["store"] == "/api/v1/stores/"


def test_make_run_settings_have_debug_off_and_still_serve_static_files():
    """The local settings (``make run``) without DJANGO_DEBUG: debug off, a static file
    served by WhiteNoise without collectstatic, an unknown page the Chinese 404."""
    script = """
import django, json
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
css = client.get("/static/css/app.css")
missing = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
print(json.dumps({
    "debug": settings.DEBUG,
    "css": css.status_code,
    "missing": missing.status_code,
    "chinese": "页面不存在" in missing.content.decode(),
}))
"""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    env["DJANGO_SETTINGS_MODULE"] = "closedloop.settings.local"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"debug": False, "css": 200, "missing": 404, "chinese": True}


def test_make_dev_keeps_the_debug_pages():
    makefile = (ROOT / "Makefile").read_text()
    assert "\ndev:\n\t@DJANGO_DEBUG=1 $(MAKE) --no-print-directory run\n" in makefile
