#!/usr/bin/env python
"""Compile every ``locale/<lang>/LC_MESSAGES/*.po`` of the project into ``.mo``.

The equivalent of ``manage.py compilemessages`` without GNU gettext's ``msgfmt``, which
is often missing on developer machines: the catalogues are compiled with ``polib``.
Like ``msgfmt``, fuzzy and untranslated entries are left out. A ``.mo`` newer than its
``.po`` is left alone. Needs no Django settings, database or Redis.

    python scripts/compile_messages.py [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "venv", "var", "node_modules", "staticfiles", ".git", "build"}


def catalogues(root: Path):
    """The .po files under ``<something>/locale/<lang>/LC_MESSAGES/`` of the project."""
    for po in sorted(root.rglob("*.po")):
        relative = po.relative_to(root)
        if SKIP_DIRS.intersection(relative.parts):
            continue
        if po.parent.name == "LC_MESSAGES" and po.parent.parent.parent.name == "locale":
            yield po


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="recompile up-to-date files too")
    args = parser.parse_args(argv)
    try:
        import polib
    except ImportError:
        print(
            "compile_messages: polib is not installed; run `make install` "
            "(or `pip install polib`), or use `manage.py compilemessages` with GNU gettext.",
            file=sys.stderr,
        )
        return 1

    compiled = failed = 0
    for po in catalogues(BASE_DIR):
        mo = po.with_suffix(".mo")
        if not args.force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            polib.pofile(str(po), check_for_duplicates=True).save_as_mofile(str(mo))
        except (OSError, ValueError) as exc:
            print(f"compile_messages: {po.relative_to(BASE_DIR)}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"compiled {po.relative_to(BASE_DIR)}")
        compiled += 1
    if failed:
        return 1
    if not compiled:
        print("compile_messages: all message catalogues are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
