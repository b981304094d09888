"""What ``manage.py benchmark`` measures of inspections (issue 9): the inspection list and
the improvement board, for the roles that open them. ``generate_load`` makes no
inspections yet: on its data these time the pages' fixed cost and their queries."""

from __future__ import annotations

from closedloop.core.bench import Case

CASES: list[Case] = [
    *(Case("inspections.list", role=role, path="/inspections/") for role in ("lead", "ops")),
    *(Case("inspections.board", role=role, path="/inspections/board/") for role in ("lead", "ops")),
]
