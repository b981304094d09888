"""What ``manage.py benchmark`` measures of rectification (issue 9): the board and the
person's own projects, for the roles that open them. ``generate_load`` makes no projects
yet: on its data these time the pages' fixed cost and their queries over empty tables."""

from __future__ import annotations

from closedloop.core.bench import Case

CASES: list[Case] = [
    *(Case("rectification.board", role=role, path="/rectification/") for role in ("lead", "ops")),
    Case("rectification.mine", role="manager", path="/rectification/mine/"),
]
