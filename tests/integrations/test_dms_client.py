"""``examples/dms_client.py`` runs against the real product (a live server): it creates an
issue idempotently, pushes metrics, polls the status, and verifies webhook signatures;
its retries resend the same Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from integrations.services import tokens, webhooks
from issues import services as issue_services
from issues.models import Issue
from tests.celery_fixtures import private_queue, seed_reference_data  # noqa: F401 (fixture)

from .conftest import seed_integrations
from .receivers import dms_client


@pytest.fixture
def live(live_server, private_queue):  # noqa: F811
    """The product on a live server; what it enqueues goes to a queue of the test's own."""
    seed_reference_data()
    seed_integrations()
    return live_server


def test_the_client_works_the_whole_flow_against_the_product(live, cast, capsys):
    _row, key = tokens.issue_token(user=cast.dms, name="示例客户端")
    client = dms_client.Client(live.url, key)
    issue = {
        "store": "HZ001",
        "category": "process",
        "title": "客户等待时间过长",
        "description": "DMS 数据显示等待时间持续上升",
        "external_ref": "WO-7788",
    }
    first_code, first = client.create_issue(**issue)
    again_code, again = client.create_issue(**issue)  # a retry: the same derived key
    assert (first_code, again_code) == (201, 201) and again == first
    assert Issue.objects.count() == 1 and first["channel"] == "dms"

    today = timezone.localdate()
    readings = [
        {
            "store": "NB001",
            "metric": "waiting_minutes",
            "date": (today - dt.timedelta(days=n)).isoformat(),
            "value": value,
        }
        for n, value in ((3, 38), (2, 41), (1, 39))
    ]
    totals = client.push_metrics(readings)
    assert totals["created"] == 3 and len(totals["issues"]) == 1
    assert client.push_metrics(readings) == totals  # the same batch again: the first reply

    number = first["number"]
    assert (
        client.wait_for_status(number, {"submitted"}, interval=0.1, timeout=5)["status"]
        == "submitted"
    )
    issue_services.triage(
        issue=Issue.objects.get(number=number), actor=cast.ops, priority="P2", department="IT"
    )
    assert (
        client.wait_for_status(number, {"triaged"}, interval=0.1, timeout=5)["status"] == "triaged"
    )

    assert dms_client.main(["--base-url", live.url, "--token", key, "status", number]) == 0
    assert capsys.readouterr().out.strip() == f"{number} triaged"


def test_a_refused_request_is_reported_not_retried(live, cast):
    _row, key = tokens.issue_token(user=cast.dms, scopes=["issues:read"])
    client = dms_client.Client(live.url, key, retries=3)
    started = time.monotonic()
    with pytest.raises(dms_client.ApiError) as refused:
        client.create_issue(store="HZ001", category="system", title="t", description="d")
    assert refused.value.status == 403 and time.monotonic() - started < 2


def test_a_retry_after_a_503_sends_the_same_key():
    """Against a stand-in that fails once: the client waits and sends the same key."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers["Idempotency-Key"])
            status, body = (503, b"{}") if len(seen) == 1 else (201, b'{"number": "ISS-1"}')
            self.send_response(status)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = dms_client.Client(f"http://127.0.0.1:{server.server_port}", "k")
        code, body = client.create_issue(
            store="HZ001", category="system", title="t", description="d", external_ref="R-1"
        )
    finally:
        server.shutdown()
        server.server_close()
    assert (code, body) == (201, {"number": "ISS-1"})
    assert len(seen) == 2 and seen[0] == seen[1]


def test_the_client_verifies_what_the_product_signs(tmp_path, capsys):
    body = json.dumps({"event": "issue.created", "data": {}}).encode()
    timestamp = str(int(time.time()))
    signature = webhooks.sign("the-secret-of-it", timestamp, body)
    assert dms_client.verify_signature("the-secret-of-it", timestamp, body, signature)
    assert not dms_client.verify_signature("another-secret!!", timestamp, body, signature)
    assert not dms_client.verify_signature("the-secret-of-it", timestamp, body + b" ", signature)
    stale = str(int(time.time()) - 3600)
    assert not dms_client.verify_signature(
        "the-secret-of-it", stale, body, webhooks.sign("the-secret-of-it", stale, body)
    )
    path = tmp_path / "body.json"
    path.write_bytes(body)
    args = [
        "verify",
        "--secret",
        "the-secret-of-it",
        "--timestamp",
        timestamp,
        "--body-file",
        str(path),
    ]
    assert dms_client.main([*args, "--signature", signature]) == 0
    assert dms_client.main([*args, "--signature", "sha256=00"]) == 1
    assert capsys.readouterr().out.split() == ["valid", "INVALID"]
