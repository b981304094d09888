"""What people write (an issue's title, a store's name) reaches the group bots as their
text, never as markup: no disguised link, image, ``<font>`` colour or WeCom mention in an
official SLA alert. WeCom and DingTalk get full-width forms of the markup characters;
Feishu's post elements are literal text. Posted to the real HTTP receiver of
tests/notifications/test_channels.py on 127.0.0.1."""

import pytest

from closedloop.core import jobs
from closedloop.notifications import services
from closedloop.notifications.choices import Channel, DeliveryStatus, Level
from closedloop.notifications.models import Delivery
from closedloop.notifications.services import notify
from issues.sla import invalidate_calendar_cache
from tests.celery_fixtures import seed_reference_data
from tests.factories import at, new_issue
from tests.notifications.test_channels import Receiver, make_bot, message

pytestmark = pytest.mark.django_db

SITE = "https://cl.example.com"
LINK = f"{SITE}/issues/ISS-2025-00012/"
HOSTILE_TITLE = '[紧急](http://evil.example/p) <font color="warning">官方</font> **P0** <@all>'
HOSTILE_BODY = (
    "杭州XX 4S店 · ![](http://evil.example/pixel.png)\n"
    "# 假标题\n"
    "- 列表\n"
    "1. 步骤\n"
    "    缩进\n"
    "&lt;b&gt; `x` ~~删~~ _斜_ a|b http://evil.example/login"
)


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def send(receiver, channel, path, title=HOSTILE_TITLE, body=HOSTILE_BODY) -> dict:
    bot = make_bot(receiver, channel, path)
    notify(recipients=[], message=message(title=title, body=body), bots_to=[bot])
    assert services.deliver(Delivery.objects.get(webhook=bot).pk) == DeliveryStatus.SENT
    return receiver.requests[-1]["json"]


def assert_no_markup_but_ours(text: str) -> None:
    """The only link is ours; nothing else can become markup."""
    assert text.count("](") == 1 and text.endswith(f"[查看详情]({LINK})")
    rest = text.removesuffix(f"[查看详情]({LINK})")
    for char in "[]<>`*_~|&\\":
        assert char not in rest, (char, rest)
    assert "://" not in rest


def test_wecom_gets_people_s_text_not_their_markup(receiver):
    content = send(receiver, Channel.WECOM, "/wecom/send?key=k")["markdown"]["content"]
    assert content == (
        '**［紧急］(http：//evil.example/p) ＜font color="warning"＞官方＜/font＞ ＊＊P0＊＊ ＜@all＞**\n'
        "> 杭州XX 4S店 · !［］(http：//evil.example/pixel.png)\n"
        "> ＃ 假标题\n"
        "> － 列表\n"
        "> 1． 步骤\n"
        "> 缩进\n"
        "> ＆lt;b＆gt; ｀x｀ ～～删～～ ＿斜＿ a｜b http：//evil.example/login\n"
        f"[查看详情]({LINK})"
    )
    # Our bold and quotes are the only markup: strip them and nothing is left.
    ours = content.replace("**", "", 2).replace("\n> ", "\n")
    assert_no_markup_but_ours(ours)


def test_dingtalk_gets_people_s_text_not_their_markup(receiver):
    body = send(receiver, Channel.DINGTALK, "/dingtalk/send?access_token=t")["markdown"]
    # The conversation list's preview is plain text: the title as written, on one line.
    assert body["title"] == HOSTILE_TITLE
    text = body["text"]
    assert text == (
        '#### ［紧急］(http：//evil.example/p) ＜font color="warning"＞官方＜/font＞ ＊＊P0＊＊ ＜@all＞\n\n'
        "杭州XX 4S店 · !［］(http：//evil.example/pixel.png)\n"
        "＃ 假标题\n"
        "－ 列表\n"
        "1． 步骤\n"
        "缩进\n"
        "＆lt;b＆gt; ｀x｀ ～～删～～ ＿斜＿ a｜b http：//evil.example/login\n\n"
        f"[查看详情]({LINK})"
    )
    lines = text.removeprefix("#### ").splitlines()
    # No line starts a heading, a list, a quote or a code block of its own.
    assert not any(line.startswith(("#", "-", "+", ">", " ", "1.")) for line in lines)
    assert_no_markup_but_ours(text.removeprefix("#### "))


def test_feishu_post_carries_the_text_literally(receiver):
    post = send(receiver, Channel.FEISHU, "/feishu/hook/x")["content"]["post"]["zh_cn"]
    assert post == {
        "title": HOSTILE_TITLE,
        "content": [
            [{"tag": "text", "text": HOSTILE_BODY}],
            [{"tag": "a", "text": "查看详情", "href": LINK}],
        ],
    }


def test_a_title_on_several_lines_stays_one_heading(receiver):
    text = send(receiver, Channel.DINGTALK, "/dingtalk/send?access_token=t", title="标题\n# 二")
    assert text["markdown"]["title"] == "标题 # 二"
    assert text["markdown"]["text"].startswith("#### 标题 ＃ 二\n\n")


def test_plain_text_is_unchanged(receiver):
    """What carries no markup arrives exactly as written (issue numbers, Chinese)."""
    title, body = "ISS-2025-00012 响应已超时", "杭州XX 4S店 · 空调不制冷\n优先级 P1 · 责任部门 IT"
    wecom = send(receiver, Channel.WECOM, "/wecom/send?key=p", title, body)
    assert wecom["markdown"]["content"] == (
        f"**{title}**\n> 杭州XX 4S店 · 空调不制冷\n> 优先级 P1 · 责任部门 IT\n[查看详情]({LINK})"
    )


def test_a_store_managers_title_in_an_official_sla_alert(cast, receiver):
    """End to end: the title a store manager typed, in the overdue alert the ladder
    posts to the department's WeCom and DingTalk groups."""
    from issues import services as issue_services

    seed_reference_data()
    invalidate_calendar_cache()
    title = '<font color="warning">总部通知</font>[点此登记](http://evil.example)'
    issue = new_issue(cast, title=title, when=at(2026, 11, 23, 10, 0))
    issue_services.triage(
        issue=issue, actor=cast.ops, priority="P1", department="IT", at=at(2026, 11, 23, 10, 5)
    )
    it = cast.org.it
    bots = [
        make_bot(receiver, Channel.WECOM, "/wecom/x?key=it", department=it, min_level=Level.DANGER),
        make_bot(receiver, Channel.DINGTALK, "/dingtalk/x", department=it, min_level=Level.DANGER),
    ]
    # A day later: 50 %, 75 % and 100 % of the response clock; the groups hear of 100 %.
    assert jobs.run("sla_sweep", at(2026, 11, 24, 10, 0))["alerts"] == 3
    deliveries = Delivery.objects.filter(webhook__in=bots).order_by("channel")
    assert len(deliveries) == 2
    for delivery in deliveries:
        assert services.deliver(delivery.pk) == DeliveryStatus.SENT
    texts = sorted(
        r["json"]["markdown"].get("content") or r["json"]["markdown"]["text"]
        for r in receiver.requests
    )
    assert len(texts) == 2
    for text in texts:
        assert "已超时" in text
        assert '＜font color="warning"＞总部通知＜/font＞［点此登记］(http：//evil.example)' in text
        assert "<font" not in text and "[点此登记]" not in text
    invalidate_calendar_cache()
