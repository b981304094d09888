"""The submit form carries a one-time token: the same form posted twice — a double tap,
a retry after a slow answer, two requests in parallel — makes one issue, and the
business numbers stay gap-free."""

import re
import threading
import uuid

import pytest
from django.db import connection

from closedloop.errors import DomainError
from issues.models import Issue
from tests.factories import new_issue

FIELDS = {
    "category": "system",
    "title": "DMS 打印失败",
    "description": "工单无法打印",
    "impact_scope": "store",
}


def _token(client):
    html = client.get("/issues/new/").content.decode()
    return re.search(r'name="form_token" value="([0-9a-f-]{36})"', html).group(1)


@pytest.mark.django_db
def test_posting_the_same_form_twice_makes_one_issue(cast, client):
    client.force_login(cast.manager)
    token = _token(client)
    first = client.post("/issues/new/", {**FIELDS, "form_token": token})
    second = client.post("/issues/new/", {**FIELDS, "form_token": token})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Issue.objects.count() == 1
    # A fresh form is a new report.
    client.post("/issues/new/", {**FIELDS, "form_token": _token(client)})
    assert Issue.objects.count() == 2


@pytest.mark.django_db
def test_another_persons_token_is_refused(cast):
    token = uuid.uuid4()
    new_issue(cast, form_token=token)
    with pytest.raises(DomainError):
        new_issue(cast, who=cast.ops, form_token=token)
    assert Issue.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_posts_of_one_form_make_one_issue_without_a_gap(cast):
    token = uuid.uuid4()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def post():
        try:
            barrier.wait()
            results.append(new_issue(cast, form_token=token).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(set(results)) == 1 and Issue.objects.count() == 1
    assert new_issue(cast).number.endswith("-00002")  # no number was used up
