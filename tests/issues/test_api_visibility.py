"""Who sees which issue through the API: exactly the rows of ``Issue.objects.visible_to``
for every role of the cast, and 404 (never 403) for everything else."""

import pytest

from closedloop.org.choices import Role
from issues import services
from issues.choices import Category, ImpactScope, Priority
from issues.models import Issue

pytestmark = pytest.mark.django_db

# Issue key -> who may see it, by the rules of DOMAIN.md §2:
#   A  HZ001, by the store manager, system, triaged to IT
#   G  HZ001, by the store manager, supply chain, triaged to SCM
#   B  NB001, by the neighbour, supply chain, triaged to SCM
#   F  NB001, pushed by the DMS, process, not triaged
#   C  GZ001, by the far manager, system, not triaged (no department yet)
#   D  GZ001, by the far manager, system, triaged to IT by the quality lead
#   E  GZ001, submitted by the IT head back when they were an ops specialist covering
#      Guangzhou (heads do not submit; what one submitted stays theirs), not triaged
EVERYTHING = {"A", "B", "C", "D", "E", "F", "G"}
VISIBLE = {
    "manager": {"A", "G"},
    "neighbour": {"B", "F"},
    "far_manager": {"C", "D", "E"},
    "ops": {"A", "B", "F", "G"},
    "director": {"A", "B", "F", "G"},
    "head": {"A", "D", "E"},  # its department's + what it submitted
    "member": {"A", "D"},
    "scm_head": {"B", "G"},
    "lead": EVERYTHING,
    "executive": EVERYTHING,
    "dms": EVERYTHING,
    "outsider": set(),
}


@pytest.fixture
def issues(cast):
    org = cast.org

    def make(by, store, category, triager=None, department=None):
        issue, _ = services.create_issue(
            submitted_by=by,
            store=store,
            category=category,
            title="问题",
            description="描述",
            impact_scope=ImpactScope.STORE,
        )
        if triager:
            services.triage(issue=issue, actor=triager, priority=Priority.P2, department=department)
        return issue.number

    def make_as_former_ops(person, store):
        role = person.role
        person.role = Role.OPS_SPECIALIST
        person.save()
        person.stores.add(store)
        number = make(person, store, Category.SUPPLY_CHAIN)
        person.stores.remove(store)
        person.role = role
        person.save()
        return number

    return {
        "A": make(cast.manager, org.hangzhou, Category.SYSTEM, cast.ops, "IT"),
        "G": make(cast.manager, org.hangzhou, Category.SUPPLY_CHAIN, cast.ops, "SCM"),
        "B": make(cast.neighbour, org.ningbo, Category.SUPPLY_CHAIN, cast.ops, "SCM"),
        "F": make(cast.dms, org.ningbo, Category.PROCESS),
        "C": make(cast.far_manager, org.guangzhou, Category.SYSTEM),
        "D": make(cast.far_manager, org.guangzhou, Category.SYSTEM, cast.lead, "IT"),
        "E": make_as_former_ops(cast.head, org.guangzhou),
    }


@pytest.mark.parametrize("who,expected", sorted(VISIBLE.items()))
def test_list_and_detail_per_role(cast, api, issues, who, expected):
    user = getattr(cast, who)
    by_number = {number: key for key, number in issues.items()}
    client = api.as_(user)

    reply = client.get("/api/v1/issues/?page_size=200")
    assert reply.status_code == 200
    listed = {by_number[row["number"]] for row in reply.json()["results"]}
    assert listed == expected
    assert reply.json()["count"] == len(expected)
    # The API is exactly the one visibility rule, nothing more, nothing less.
    assert {
        by_number[n] for n in Issue.objects.visible_to(user).values_list("number", flat=True)
    } == expected

    for key, number in sorted(issues.items()):
        status = client.get(f"/api/v1/issues/{number}/").status_code
        assert status == (200 if key in expected else 404), key


@pytest.mark.parametrize("who", ["manager", "neighbour", "ops", "head", "scm_head", "outsider"])
def test_writes_to_an_invisible_issue_are_404(cast, api, issues, who):
    client = api.as_(getattr(cast, who))
    for key, number in sorted(issues.items()):
        if key in VISIBLE[who]:
            continue
        for action, body in [
            ("comments", {"body": "hi"}),
            ("triage", {"priority": "P1"}),
            ("accept", {}),
            ("confirm", {"rating": 5}),
        ]:
            reply = client.post(f"/api/v1/issues/{number}/{action}/", body)
            assert reply.status_code == 404, (key, action)
            assert reply.json()["detail"]


def test_not_found_does_not_tell_missing_from_hidden(cast, api, issues):
    client = api.as_(cast.neighbour)
    hidden = client.get(f"/api/v1/issues/{issues['A']}/").json()
    missing = client.get("/api/v1/issues/ISS-2000-00001/").json()
    assert hidden == missing


def test_moving_an_issue_to_another_department_moves_its_visibility(cast, api, issues):
    number = issues["A"]
    issue = Issue.objects.get(number=number)
    services.assign(issue=issue, actor=cast.head, assignee=cast.member)
    services.change_priority(issue=issue, actor=cast.ops, priority=Priority.P1, department="SCM")
    # Moving departments clears the assignee: IT no longer sees it, SCM does.
    assert api.as_(cast.member).get(f"/api/v1/issues/{number}/").status_code == 404
    assert api.as_(cast.scm_head).get(f"/api/v1/issues/{number}/").status_code == 200
    services.assign(issue=issue, actor=cast.scm_head, assignee=cast.scm_head)
    assert api.as_(cast.scm_head).get(f"/api/v1/issues/{number}/").json()["assignee"] == "scm_head"


def test_inactive_user_sees_nothing(cast, api, issues):
    cast.lead.is_active = False
    cast.lead.save()
    reply = api.as_(cast.lead).get("/api/v1/issues/")
    assert reply.status_code == 200 and reply.json()["count"] == 0
    assert api.as_(cast.lead).get(f"/api/v1/issues/{issues['A']}/").status_code == 404
