"""Helpers of the integration tests: real API tokens (the product's own issuing), and
clients that send them."""

import pytest
from rest_framework.test import APIClient

from integrations.services import tokens


@pytest.fixture
def token_client():
    """``token_client(user, scopes=…, stores=…, …)`` → an APIClient sending a fresh token
    of ``user`` issued by the product; ``client.token`` is its ApiToken row and
    ``client.key`` the key."""

    def make(user, **options):
        row, key = tokens.issue_token(user=user, **options)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        client.token, client.key = row, key
        return client

    return make


def seed_integrations() -> None:
    """Put back what the integration's data migration seeds (metric definitions, beat
    schedules): ``transactional_db`` truncates every table after each test."""
    import importlib

    from django.apps import apps

    from closedloop.core import jobs

    seed = importlib.import_module("integrations.migrations.0002_seed")
    seed.seed_metrics(apps, None)
    jobs.sync_schedules()
