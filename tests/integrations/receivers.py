"""A webhook receiver on 127.0.0.1 for the tests, verifying signatures with the code of
``examples/dms_client.py`` (what a DMS developer copies)."""

from __future__ import annotations

import importlib.util
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings

EXAMPLE = Path(settings.BASE_DIR) / "examples" / "dms_client.py"
_spec = importlib.util.spec_from_file_location("dms_client", EXAMPLE)
dms_client = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dms_client)


class Receiver:
    """A webhook receiver on 127.0.0.1 that verifies each signature with the example
    client's code and answers with the next scripted status (then 204)."""

    def __init__(self, secret: str, statuses=()):
        self.secret = secret
        self.statuses = list(statuses)
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {
                        "headers": dict(self.headers),
                        "body": body,
                        "verified": dms_client.verify_signature(
                            receiver.secret,
                            self.headers["X-Timestamp"],
                            body,
                            self.headers["X-Signature"],
                        ),
                    }
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.end_headers()

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/dms/webhooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"receiver: {len(self.received)} requests, expected {count}")
            time.sleep(0.05)
        return list(self.received)
