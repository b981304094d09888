#!/usr/bin/env python3
"""A DMS client for the closedloop API, standard library only (Python 3.9+).

It shows what an integration needs:

- create an issue idempotently (``Idempotency-Key``: a retry after a timeout or a 5xx
  sends the same key and gets the first reply back, never a second issue);
- push store metrics (batches of at most 1000 readings);
- poll an issue's status;
- verify a webhook's signature, and receive webhooks.

Configuration: ``--base-url`` / ``CLOSEDLOOP_URL`` (e.g. https://closedloop.example.com)
and ``--token`` / ``CLOSEDLOOP_TOKEN`` (from ``manage.py issue_api_token dms`` or the
product's 接口集成 page).

    python dms_client.py create-issue --store HZ001 --category system \\
        --title "DMS 工单流转缓慢" --description "开单后要等 5 分钟" --external-ref WO-1001
    python dms_client.py push-metrics --store HZ001 --metric waiting_minutes \\
        --date 2025-11-03 --value 38
    python dms_client.py push-metrics --file readings.json
    python dms_client.py status ISS-2025-00012 --until resolved,closed
    python dms_client.py receive --port 8099 --secret "$WEBHOOK_SECRET"
    python dms_client.py verify --secret S --timestamp T --signature sha256=… --body-file b.json
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BATCH = 1000
#: A webhook whose X-Timestamp is further than this from now is refused (replays).
SIGNATURE_TOLERANCE_SECONDS = 300


class ApiError(Exception):
    def __init__(self, status: int, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Client:
    """A small client: JSON in and out, retries with the same Idempotency-Key."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 30, retries: int = 4):
        self.base_url = base_url.rstrip("/") + "/api/v1"
        self.token = token
        self.timeout = timeout
        self.retries = retries

    # --- transport ----------------------------------------------------------------------

    def request(self, method: str, path: str, body=None, *, idempotency_key: str | None = None):
        """Send one request; retry network errors, 5xx and 429 (after ``Retry-After``).
        A POST is retried only with an Idempotency-Key, so a retry never acts twice."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        may_retry = method in ("GET", "HEAD", "PUT", "DELETE") or bool(idempotency_key)
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(
                self.base_url + path, data=data, headers=headers, method=method
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
                    return response.status, (json.loads(raw) if raw else None)
            except urllib.error.HTTPError as error:
                raw = error.read()
                try:
                    payload = json.loads(raw) if raw else None
                except ValueError:
                    payload = raw.decode("utf-8", "replace")
                retryable = error.code == 429 or error.code >= 500
                if not (retryable and may_retry and attempt < self.retries):
                    raise ApiError(error.code, payload) from None
                wait = error.headers.get("Retry-After")
                time.sleep(float(wait) if wait and wait.isdigit() else 2**attempt)
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                if not (may_retry and attempt < self.retries):
                    raise
                time.sleep(2**attempt)
        raise RuntimeError("unreachable")

    # --- the operations -----------------------------------------------------------------

    def create_issue(
        self,
        *,
        store: str,
        category: str,
        title: str,
        description: str,
        impact_scope: str = "store",
        external_ref: str = "",
        expected_resolution_date: str | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[int, dict]:
        """POST /issues/. 201 for a new issue; the same key (or the same external_ref)
        answers the issue created the first time. The key defaults to one derived from
        ``external_ref``, so even a restarted program sends the same key."""
        body = {
            "store": store,
            "category": category,
            "title": title,
            "description": description,
            "impact_scope": impact_scope,
            "channel": "dms",
        }
        if external_ref:
            body["external_ref"] = external_ref
        if expected_resolution_date:
            body["expected_resolution_date"] = expected_resolution_date
        key = idempotency_key or (
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"dms-issue:{external_ref}"))
            if external_ref
            else str(uuid.uuid4())
        )
        return self.request("POST", "/issues/", body, idempotency_key=key)

    def push_metrics(self, readings: list[dict]) -> dict:
        """POST /metrics/ in batches of 1000; each batch all or nothing. Returns the
        totals and the issue numbers that thresholds opened."""
        total = {"created": 0, "updated": 0, "issues": []}
        for start in range(0, len(readings), MAX_BATCH):
            batch = readings[start : start + MAX_BATCH]
            digest = hashlib.sha256(json.dumps(batch, sort_keys=True).encode()).hexdigest()
            _status, reply = self.request(
                "POST", "/metrics/", batch, idempotency_key=f"metrics-{digest}"
            )
            total["created"] += reply["created"]
            total["updated"] += reply["updated"]
            total["issues"] += reply["issues"]
        return total

    def issue(self, number: str) -> dict:
        return self.request("GET", f"/issues/{number}/")[1]

    def wait_for_status(
        self, number: str, statuses, *, interval: float = 30, timeout: float = 3600
    ) -> dict:
        """Poll GET /issues/{number}/ until its status is one of ``statuses``."""
        deadline = time.monotonic() + timeout
        while True:
            issue = self.issue(number)
            if issue["status"] in statuses or time.monotonic() > deadline:
                return issue
            time.sleep(interval)


# --- webhooks ---------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: int | None = SIGNATURE_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True for a genuine, fresh webhook: ``X-Signature`` is ``sha256=`` + the hex
    HMAC-SHA256 of ``"<X-Timestamp>.<raw body>"`` with the subscription's secret, and
    ``X-Timestamp`` is within ``tolerance`` seconds of now (None: not checked)."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    if tolerance is not None and age > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def make_receiver(secret: str, on_event, *, host: str = "127.0.0.1", port: int = 0):
    """An HTTP server that accepts signed webhooks: 204 after ``on_event(event,
    delivery_id)`` for a genuine one (each X-Delivery once), 401 for a bad signature.
    Call ``serve_forever()`` on it (``server_port`` says where it listens)."""
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not verify_signature(
                secret,
                self.headers.get("X-Timestamp", ""),
                body,
                self.headers.get("X-Signature", ""),
            ):
                self.send_response(401)
                self.end_headers()
                return
            delivery = self.headers.get("X-Delivery", "")
            if delivery not in seen:  # a retry of a delivery already handled: no repeat
                on_event(json.loads(body), delivery)
                seen.add(delivery)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format, *args):
            pass

    return ThreadingHTTPServer((host, port), Handler)


# --- command line -----------------------------------------------------------------------


def _client(args) -> Client:
    base = args.base_url or os.environ.get("CLOSEDLOOP_URL")
    token = args.token or os.environ.get("CLOSEDLOOP_TOKEN")
    if not (base and token):
        sys.exit("set --base-url/--token or CLOSEDLOOP_URL/CLOSEDLOOP_TOKEN")
    return Client(base, token)


def _print(value) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url")
    parser.add_argument("--token")
    commands = parser.add_subparsers(dest="command", required=True)

    create = commands.add_parser("create-issue", help="create an issue idempotently")
    create.add_argument("--store", required=True)
    create.add_argument("--category", required=True, help="system|process|supply_chain|people")
    create.add_argument("--title", required=True)
    create.add_argument("--description", required=True)
    create.add_argument("--impact", default="store", help="store|multi_store|region|national")
    create.add_argument("--external-ref", default="")
    create.add_argument("--key", help="Idempotency-Key (default: from --external-ref)")

    push = commands.add_parser("push-metrics", help="push store metric readings")
    push.add_argument("--file", help="a JSON array of {store, metric, date, value}")
    push.add_argument("--store")
    push.add_argument("--metric")
    push.add_argument("--date")
    push.add_argument("--value", type=float)

    status = commands.add_parser("status", help="show (or wait for) an issue's status")
    status.add_argument("number")
    status.add_argument("--until", help="comma-separated statuses to wait for")
    status.add_argument("--interval", type=float, default=30)

    receive = commands.add_parser("receive", help="receive and verify webhooks")
    receive.add_argument("--secret", required=True)
    receive.add_argument("--host", default="127.0.0.1")
    receive.add_argument("--port", type=int, default=8099)

    check = commands.add_parser("verify", help="verify one webhook's signature")
    check.add_argument("--secret", required=True)
    check.add_argument("--timestamp", required=True)
    check.add_argument("--signature", required=True)
    check.add_argument("--body-file", required=True)
    check.add_argument(
        "--max-age", type=int, default=None, help="also refuse timestamps older than N seconds"
    )

    args = parser.parse_args(argv)
    try:
        if args.command == "create-issue":
            code, issue = _client(args).create_issue(
                store=args.store,
                category=args.category,
                title=args.title,
                description=args.description,
                impact_scope=args.impact,
                external_ref=args.external_ref,
                idempotency_key=args.key,
            )
            print(f"{code} {issue['number']} {issue['status']}")
        elif args.command == "push-metrics":
            if args.file:
                with open(args.file, encoding="utf-8") as handle:
                    readings = json.load(handle)
            else:
                readings = [
                    {
                        "store": args.store,
                        "metric": args.metric,
                        "date": args.date,
                        "value": args.value,
                    }
                ]
            _print(_client(args).push_metrics(readings))
        elif args.command == "status":
            client = _client(args)
            if args.until:
                issue = client.wait_for_status(
                    args.number, set(args.until.split(",")), interval=args.interval
                )
            else:
                issue = client.issue(args.number)
            print(f"{issue['number']} {issue['status']}")
        elif args.command == "receive":
            server = make_receiver(
                args.secret,
                lambda event, delivery: _print({"delivery": delivery, **event}),
                host=args.host,
                port=args.port,
            )
            print(f"listening on http://{args.host}:{server.server_port}/", file=sys.stderr)
            server.serve_forever()
        elif args.command == "verify":
            with open(args.body_file, "rb") as handle:
                body = handle.read()
            ok = verify_signature(
                args.secret, args.timestamp, body, args.signature, tolerance=args.max_age
            )
            print("valid" if ok else "INVALID")
            return 0 if ok else 1
    except ApiError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
