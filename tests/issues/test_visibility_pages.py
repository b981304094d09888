"""Every role sees exactly its rows: in the list page, the detail page, the export and
the API — 404 for the rest. The expected sets are written out here, independently of
``Issue.objects.visible_to``."""

import re

import pytest

from issues import services
from tests.factories import new_issue
from tests.issues.test_export import _numbers, _sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    """Four issues: Hangzhou→IT, Ningbo→IT, Guangzhou→SCM, and one the SCM head submitted
    for Guangzhou that nobody routed yet."""
    hz = new_issue(cast, title="杭州")
    nb = new_issue(cast, who=cast.neighbour, store=cast.org.ningbo, title="宁波")
    gz = new_issue(
        cast, who=cast.far_manager, store=cast.org.guangzhou, title="广州", category="supply_chain"
    )
    services.triage(issue=hz, actor=cast.ops, priority="P1", department="IT")
    services.triage(issue=nb, actor=cast.ops, priority="P2", department="IT")
    services.triage(issue=gz, actor=cast.lead, priority="P2", department="SCM")
    own = new_issue(cast, who=cast.lead, store=cast.org.guangzhou, title="总部代提")
    return {"hz": hz.number, "nb": nb.number, "gz": gz.number, "own": own.number}


EXPECTED = {
    "manager": {"hz"},
    "neighbour": {"nb"},
    "far_manager": {"gz", "own"},
    "ops": {"hz", "nb"},
    "director": {"hz", "nb"},
    "head": {"hz", "nb"},
    "member": {"hz", "nb"},
    "scm_head": {"gz"},
    "lead": {"hz", "nb", "gz", "own"},
    "executive": {"hz", "nb", "gz", "own"},
    "outsider": set(),
}
NUMBER = re.compile(r"ISS-\d{4}-\d{5}")


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_exactly_its_rows_everywhere(cast, client, api, world, who):
    user = getattr(cast, who)
    expected = {world[key] for key in EXPECTED[who]}
    client.force_login(user)

    listed = set(NUMBER.findall(client.get("/issues/?view=status&page_size=100").content.decode()))
    assert listed == expected

    _header, rows = _sheet(client.get("/issues/export.xlsx?view=status"))
    assert set(_numbers(rows)) == expected

    api_rows = api.as_(user).get("/api/v1/issues/?page_size=200").json()["results"]
    assert {row["number"] for row in api_rows} == expected

    for number in world.values():
        status = client.get(f"/issues/{number}/").status_code
        assert status == (200 if number in expected else 404), (who, number)
        api_status = api.as_(user).get(f"/api/v1/issues/{number}/").status_code
        assert api_status == (200 if number in expected else 404), (who, number)
