import pytest

from ..celery_fixtures import seed_reference_data


@pytest.fixture
def reference_data(db):
    """The work calendar, SLA policies and escalation levels the migrations seed: a
    ``transactional_db`` test (these, or others) truncates them."""
    seed_reference_data()
