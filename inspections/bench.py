"""What ``manage.py benchmark`` measures of inspections (issue 9): the inspection list and
the improvement board, for the roles that open them. ``generate_load`` writes inspections
(``inspections/loadgen.py``: one per store every 45 days over the period by default, about
24 000 for 1 000 stores over three years, with their results, findings, follow-up and
history), so these time the pages over a national network's inspections."""

from __future__ import annotations

from closedloop.core.bench import Case, Context

from .models import Finding, Inspection


def facts(ctx: Context) -> dict:
    return {
        "inspections": Inspection.objects.count(),
        "inspection_findings": Finding.objects.count(),
    }


CASES: list[Case] = [
    *(Case("inspections.list", role=role, path="/inspections/") for role in ("lead", "ops")),
    *(Case("inspections.board", role=role, path="/inspections/board/") for role in ("lead", "ops")),
]
