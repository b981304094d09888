"""Message formats and signing of the group bots: Feishu (飞书), WeCom (企业微信),
DingTalk (钉钉). Each function returns ``(url, json_body)`` ready to POST.

``title`` and ``text`` are plain text written by people (an issue's title, a store's
name): they must reach the group as that text, never as markup of their own — a link
that reads as something else, an image, a ``<font color="warning">`` that dresses a
store manager's words as an official alert, a WeCom ``<@userid>`` mention. ``link`` is
ours (the issue's page) and is the only link in a message.

- Feishu: a ``post`` message's ``text`` elements and title are shown literally (no
  markdown, no HTML, no mentions): the text goes in as it is.
- WeCom and DingTalk ``markdown``: the characters that start markup in their
  markdown subsets (emphasis, code, links and images, quotes, headings, HTML tags and
  entities, mentions) are replaced by their full-width forms, which read the same to
  a Chinese reader and mean nothing to the renderer; so are a list or heading marker
  at the start of a line, the indentation of a code block and the ``://`` of a bare
  URL (no link but ours). WeCom documents no backslash escape, and a full-width form
  renders the same everywhere, so one rule serves both."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
import urllib.parse

from .choices import Channel

_MARKUP = str.maketrans(
    {
        "\\": "＼",
        "`": "｀",
        "*": "＊",
        "_": "＿",
        "~": "～",
        "[": "［",
        "]": "］",
        "<": "＜",
        ">": "＞",
        "#": "＃",
        "&": "＆",
        "|": "｜",
    }
)
#: What makes a line a list item or a heading underline: "- x", "+ x", "1. x", "2) x",
#: a line of "=" or "-".
_LINE_MARKER = re.compile(r"^(?:[-=]+(?=\s*$)|[-+](?=\s)|\d+[.)](?=\s|$))")
_FULL_WIDTH = str.maketrans({"-": "－", "+": "＋", "=": "＝", ".": "．", ")": "）"})


def markdown_text(text: str) -> str:
    """One line of people's text, safe inside WeCom/DingTalk markdown."""
    line = text.strip().translate(_MARKUP).replace("://", "：//")
    marker = _LINE_MARKER.match(line)
    if marker:
        line = marker.group().translate(_FULL_WIDTH) + line[marker.end() :]
    return line


def markdown_lines(text: str) -> list[str]:
    """People's text as safe markdown lines, blank lines dropped."""
    return [markdown_text(line) for line in text.splitlines() if line.strip()]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def feishu(*, url: str, secret: str, title: str, text: str, link: str, now=None):
    body = {
        "msg_type": "post",
        "content": {
            "post": {
                "zh_cn": {
                    "title": title,
                    "content": [
                        [{"tag": "text", "text": text}],
                        [{"tag": "a", "text": "查看详情", "href": link}],
                    ],
                }
            }
        },
    }
    if secret:
        timestamp = str(int(now if now is not None else time.time()))
        key = f"{timestamp}\n{secret}".encode()
        sign = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        body.update(timestamp=timestamp, sign=sign)
    return url, body


def wecom(*, url: str, secret: str, title: str, text: str, link: str, now=None):
    quoted = "\n".join(f"> {line}" for line in markdown_lines(text))
    content = f"**{markdown_text(_one_line(title))}**\n{quoted}\n[查看详情]({link})"
    return url, {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk(*, url: str, secret: str, title: str, text: str, link: str, now=None):
    lines = "\n".join(markdown_lines(text))
    heading = markdown_text(_one_line(title))
    body = {
        "msgtype": "markdown",
        # ``title`` is the plain-text preview of the conversation list, not rendered.
        "markdown": {
            "title": _one_line(title),
            "text": f"#### {heading}\n\n{lines}\n\n[查看详情]({link})",
        },
    }
    if secret:
        timestamp = str(int((now if now is not None else time.time()) * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
        sign = urllib.parse.quote_plus(base64.b64encode(digest.digest()).decode())
        separator = "&" if "?" in url else "?"
        url = f"{url}{separator}timestamp={timestamp}&sign={sign}"
    return url, body


FORMATTERS = {Channel.FEISHU: feishu, Channel.WECOM: wecom, Channel.DINGTALK: dingtalk}


def accepted(channel: str, status_code: int, data) -> tuple[bool, str]:
    """Did the bot platform accept the message? They answer HTTP 200 with an error code."""
    if not 200 <= status_code < 300:
        return False, f"HTTP {status_code}"
    if not isinstance(data, dict):
        return False, "not a JSON object"
    # Feishu answers ``code`` (older hooks ``StatusCode``), WeCom and DingTalk ``errcode``.
    # Only an explicit 0 is success: a reply without a code (or with another platform's
    # error code, e.g. a URL pointing at the wrong kind of bot) is a failure.
    keys = ("code", "StatusCode", "errcode") if channel == Channel.FEISHU else ("errcode",)
    code = next((data[k] for k in keys if data.get(k) is not None), None)
    if code == 0:
        return True, ""
    message = data.get("msg") or data.get("errmsg") or data.get("StatusMessage") or ""
    return False, f"code {code}: {message}"
