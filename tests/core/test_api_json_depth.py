"""JSON nested deeper than any API body needs is a 400 before it is decoded (Python's
decoder recursed: 100 000 levels were a 500); brackets inside strings are text."""

import io
import json

import pytest
from rest_framework.exceptions import ParseError

from closedloop.api.parsers import MAX_JSON_DEPTH, JSONParser, json_depth
from issues.models import Issue

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "store": "HZ001",
    "category": "system",
    "title": "DMS 工单流转慢",
    "description": "开单到派工要等 5 分钟以上，客户排队。",
    "impact_scope": "store",
}


def post_raw(api, user, raw: str):
    return api.as_(user).post("/api/v1/issues/", raw, content_type="application/json")


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        "[" * 100_000,  # not even closed
        json.dumps({**PAYLOAD, "title": ["x"]})[:-1] + ', "extra": ' + "[" * 40 + "]" * 40 + "}",
    ],
    ids=["arrays", "objects", "unclosed", "deep-member"],
)
def test_deep_nesting_is_a_400_not_a_500(cast, api, raw):
    response = post_raw(api, cast.dms, raw)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["detail"] == f"JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）。"
    assert not Issue.objects.exists()


def test_brackets_inside_strings_are_text(cast, api):
    title = "[[[[{{{{ 工单 }}}}]]]]"
    description = "客户说：" + "[" * 500 + ' \\" ' + "{" * 500
    body = json.dumps({**PAYLOAD, "title": title, "description": description})
    response = post_raw(api, cast.dms, body)
    assert response.status_code == 201, response.content[:300]
    issue = Issue.objects.get()
    assert (issue.title, issue.description) == (title, description)


def parse(raw: str):
    return JSONParser().parse(io.BytesIO(raw.encode()), "application/json", {})


def test_the_limit_is_the_depth_not_the_size():
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json_depth(at_limit, MAX_JSON_DEPTH) == MAX_JSON_DEPTH
    assert parse(at_limit)  # accepted
    with pytest.raises(ParseError):
        parse("[" + at_limit + "]")
    wide = json.dumps([{"store": "HZ001", "value": n, "tags": [[n]]} for n in range(5000)])
    assert json_depth(wide, MAX_JSON_DEPTH) == 4
    assert len(parse(wide)) == 5000


def test_other_bad_json_is_still_a_400(cast, api):
    for raw in ("{not json", '{"title": NaN}', '{"impact_scope": "\\ud800"}'):
        response = post_raw(api, cast.dms, raw)
        assert response.status_code == 400, (raw, response.content[:300])
        assert "detail" in response.json()
