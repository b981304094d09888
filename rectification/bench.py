"""What ``manage.py benchmark`` measures of rectification: the board and the person's own
projects for the roles that open them (issue 9); the case library and recurrence (issue 11):
the case library page (plain, filtered by category and tier, searched by text), the API
list (``GET /api/v1/cases/``, searched), and the rectification hints of a triage page
(疑似复发 links and suggested cases of 50 new issues) — the query count of all of them is
pinned in the tests; these time them on the generated data (``make bench``).

``generate_load`` writes the projects these pages read (``rectification/loadgen.py``: 2 %
of the issues by default, 20 000 at 1 000 000, or ``--projects N``) with their tracking
logs, history, acceptances, rechecks, closure checklists and library cases, so the board,
the case library and the triage hints are timed on a populated network, not empty
tables."""

from __future__ import annotations

from closedloop.core.bench import Case, Context

from .models import Case as LibraryCase
from .models import Project, Recurrence

TRIAGE_PAGE = 50


def facts(ctx: Context) -> dict:
    return {
        "projects": Project.objects.count(),
        "cases": LibraryCase.objects.count(),
        "recurrences": Recurrence.objects.count(),
    }


def _triage_hints(ctx: Context) -> dict:
    from issues.models import Issue

    from .selectors import triage_hints

    user = ctx.user("ops")
    issues = list(Issue.objects.visible_to(user).order_by("-submitted_at")[:TRIAGE_PAGE])
    hints = triage_hints(user, issues)
    return {
        "issues": len(issues),
        "flagged": sum(1 for h in hints.values() if h["recurrences"]),
        "with_cases": sum(1 for h in hints.values() if h["cases"]),
    }


CASES = [
    *(Case("rectification.board", role=role, path="/rectification/") for role in ("lead", "ops")),
    Case("rectification.mine", role="manager", path="/rectification/mine/"),
    Case("rectification.cases.list", role="lead", path="/rectification/cases/"),
    Case("rectification.cases.list", role="manager", path="/rectification/cases/"),
    Case(
        "rectification.cases.filter",
        role="ops",
        path="/rectification/cases/?category=process&tier=B",
    ),
    Case("rectification.cases.search", role="ops", path="/rectification/cases/?search=等待"),
    Case("rectification.cases.api", role="director", path="/api/v1/cases/?search=等待"),
    Case("rectification.triage_hints", role="ops", run=_triage_hints, budget_ms=200),
]
