"""The triage card shows the store's photos as thumbnails (not just "1 个附件"), and
与它重复 / 标记重复 ask for confirmation before closing an issue as a duplicate."""

import re

import pytest

from issues import services
from tests.factories import new_issue, png

pytestmark = pytest.mark.django_db


def test_the_card_shows_thumbnails_of_the_photos(cast, client, media_root):
    issue = new_issue(cast)
    services.add_attachments(issue=issue, actor=cast.manager, files=[png("屏幕.png")])
    attachment = issue.attachments.get()
    client.force_login(cast.ops)
    html = client.get("/issues/triage/").content.decode()
    thumb = f"/issues/{issue.number}/files/{attachment.pk}/?thumb=1"
    assert re.search(rf'<img src="{re.escape(thumb)}"[^>]*data-testid="triage-thumb"', html)
    response = client.get(thumb)
    assert response.status_code == 200 and response["Content-Type"].startswith("image/")


def test_same_as_asks_before_marking_a_duplicate(cast, client):
    other = new_issue(cast, store=cast.org.ningbo, who=cast.neighbour, title="DMS 工单流转慢")
    issue = new_issue(cast, title="DMS 工单流转缓慢")
    client.force_login(cast.ops)
    html = client.get("/issues/triage/").content.decode()
    buttons = " ".join(re.findall(r'<button[^>]*data-testid="same-as"[^>]*>', html))
    assert f'data-confirm="确定把 {issue.number} 标记为与 {other.number} 重复并关闭吗？"' in buttons
    assert re.search(r'<button[^>]*data-testid="duplicate"[^>]*data-confirm=', html)
