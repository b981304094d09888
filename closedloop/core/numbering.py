"""Business numbers: ``ISS-YYYY-NNNNN``, ``REF-YYYY-NNN``.

One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` takes the next value under a row
lock, so concurrent creators never get the same number; it runs inside the creating
transaction, so a rolled-back creation gives its number back (gap-free, never reused)."""

from django.db import connection

from .models import NumberSequence


def next_value(name: str, year: int) -> int:
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (name, year, last_value) VALUES (%s, %s, 1)
            ON CONFLICT (name, year) DO UPDATE SET last_value = {table}.last_value + 1
            RETURNING last_value
            """,
            [name, year],
        )
        return cursor.fetchone()[0]


def format_number(prefix: str, year: int, value: int, width: int) -> str:
    return f"{prefix}-{year}-{value:0{width}d}"
