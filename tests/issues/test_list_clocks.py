"""The list shows the response and the resolution clock each on its own line with its own
badge; only a running clock alerts (red 已超时, red border). A stopped clock — answered,
resolved, finished — shows met (已达成) or missed (逾期完成) quietly."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from issues import services
from tests.factories import new_issue, to_in_progress, to_resolved, to_triaged

pytestmark = pytest.mark.django_db


def _row(html, number):
    match = re.search(
        rf'<tr data-testid="issue-row" data-number="{number}"[^>]*>(.*?)</tr>', html, re.S
    )
    assert match, number
    return match.group(0)


def _clock_cells(row):
    return re.findall(r'data-testid="clock-\d">(.*?)</div>', row, re.S)


def test_a_closed_late_issue_is_quiet(cast, client):
    long_ago = timezone.now() - dt.timedelta(days=40)
    issue = to_resolved(cast, new_issue(cast, when=long_ago))  # resolved today: both late
    issue = services.confirm(issue=issue, actor=cast.manager, rating=3)
    client.force_login(cast.lead)
    row = _row(client.get("/issues/?finished=true").content.decode(), issue.number)
    assert "row-breached" not in row and "sla-breached" not in row
    response, resolution = _clock_cells(row)
    assert "响应" in response and 'data-testid="sla-missed"' in response
    assert "解决" in resolution and 'data-testid="sla-missed"' in resolution


def test_each_clock_on_its_own_line(cast, client):
    now = timezone.now()
    # Answered late (the response clock stopped, missed), resolution still running.
    answered_late = to_in_progress(cast, new_issue(cast, when=now - dt.timedelta(days=2)))
    # Never answered: the response clock runs and is breached.
    unanswered = to_triaged(cast, new_issue(cast, title="没人理", when=now - dt.timedelta(days=2)))
    client.force_login(cast.lead)
    html = client.get("/issues/").content.decode()

    row = _row(html, answered_late.number)
    response, resolution = _clock_cells(row)
    assert 'data-testid="sla-missed"' in response and "sla-breached" not in row
    assert "row-breached" not in row and 'data-testid="sla-' not in resolution

    row = _row(html, unanswered.number)
    response, resolution = _clock_cells(row)
    assert 'data-testid="sla-breached"' in response and "sla-breached" not in resolution
    assert 'class="row-breached"' in row


def test_a_paused_clock_says_so_instead_of_a_dash(cast, client):
    issue = to_triaged(cast, new_issue(cast))
    issue = services.ask_store(issue=issue, actor=cast.head, question="请补充截图")
    client.force_login(cast.head)
    detail = client.get(issue.get_absolute_url()).content.decode()
    due = detail[detail.index('data-testid="resolution-due"') :]
    assert "计时暂停" in due[: due.index("</dd>")]
    row = _row(client.get("/issues/").content.decode(), issue.number)
    _response, resolution = _clock_cells(row)
    assert "计时暂停" in resolution
