"""``REF-YYYY-NNN``: per year, gap-free, unique under concurrent creation on PostgreSQL."""

import threading

import pytest
from django.db import connection

from closedloop.errors import DomainError
from rectification.models import Project

from .helpers import at, new_project

pytestmark = pytest.mark.django_db


def test_numbers_are_per_year_and_sequential(cast):
    a = new_project(cast, when=at(2025, 12, 31, 23, 59))
    b = new_project(cast, when=at(2026, 1, 1, 0, 1), found_on="2025-12-30")
    c = new_project(cast, when=at(2026, 1, 2, 9), found_on="2025-12-30")
    assert (a.number, b.number, c.number) == ("REF-2025-001", "REF-2026-001", "REF-2026-002")


def test_a_refused_kickoff_does_not_burn_a_number(cast):
    new_project(cast)
    with pytest.raises(DomainError):
        new_project(cast, title="")
    assert new_project(cast).number == "REF-2025-002"


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_gets_distinct_gap_free_numbers(cast):
    errors, numbers = [], []
    start = threading.Barrier(8)

    def worker():
        try:
            start.wait()
            numbers.append(new_project(cast, when=at(2025, 9, 22, 9)).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [f"REF-2025-{n:03d}" for n in range(1, 9)]
    assert Project.objects.count() == 8
