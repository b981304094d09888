"""Message formats and signing of the group bots: Feishu (飞书), WeCom (企业微信),
DingTalk (钉钉). Each function returns ``(url, json_body)`` ready to POST."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from .choices import Channel


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
    quoted = "\n".join(f"> {line}" for line in text.splitlines() if line.strip())
    content = f"**{title}**\n{quoted}\n[查看详情]({link})"
    return url, {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk(*, url: str, secret: str, title: str, text: str, link: str, now=None):
    body = {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": f"#### {title}\n\n{text}\n\n[查看详情]({link})"},
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
