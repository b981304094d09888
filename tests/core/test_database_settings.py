"""Settings of the database connection and the audit middleware that pages' speed
depends on (issue 9)."""

import pghistory.config
from django.db import connection


def test_the_connection_runs_without_jit(db):
    """A page's query never gains from JIT compilation; the inspection board's lost 840 ms
    to it at national scale."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_the_audit_context_is_kept_for_writes_only():
    """A GET writes nothing: wrapping its every query with the audit context cost 16 ms
    of a list page."""
    methods = pghistory.config.middleware_methods()
    assert "GET" not in methods
    assert {"POST", "PUT", "PATCH", "DELETE"} <= set(methods)
