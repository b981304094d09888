"""Pinned query counts for the systemic issues list (constant as rows grow: an N+1 fails
here) and the triage queue (bounded by its page size)."""

import pytest

from issues import services
from tests.factories import new_issue

pytestmark = pytest.mark.django_db


def _systemic(cast, n, start=0):
    for i in range(start, start + n):
        issue = new_issue(cast, title=f"问题{i}")
        services.create_systemic_issue(actor=cast.lead, title=f"系统性{i}", issues=[issue])


def test_systemic_list_page(cast, client, flat_queries):
    _systemic(cast, 2)
    client.force_login(cast.lead)

    def fetch():
        response = client.get("/issues/systemic/")
        assert response.status_code == 200
        return response

    response = flat_queries(fetch, grow=lambda: _systemic(cast, 10, start=2), limit=4)
    assert response.content.decode().count("/issues/systemic/") >= 12


@pytest.mark.parametrize("rows", [2, 12])
def test_triage_queue_page(cast, client, rows, django_assert_max_num_queries):
    for i in range(rows):
        new_issue(cast, title=f"待分级{i}")
    client.force_login(cast.ops)
    # The similar issues of the whole page in two queries (no lookup per item), two more
    # for the rectification hints of the whole page (疑似复发 links, suggested cases).
    with django_assert_max_num_queries(11):
        response = client.get("/issues/triage/")
    assert response.status_code == 200
