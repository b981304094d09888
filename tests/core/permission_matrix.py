"""The URL permission matrix: every named URL of the URL conf × every role of the cast
(plus an outsider and an anonymous visitor) × an object inside and one outside the
person's scope → the status a GET answers. ``test_permission_matrix.py`` walks the URL
conf and fails for a URL that has no entry here.

Reading an entry::

    "issues:detail": Url(of="issue", kwargs=number, expect=scoped()),

``of`` names the kind of object the URL addresses; ``SCOPES[kind]`` says, per role, which
object of the world is inside their scope and which outside (``None``: there is none —
the quality lead sees every issue). ``expect`` gives each role its status, for a URL
without object one status, otherwise ``(inside, outside)``; ``scoped()`` is the common
case (200 inside, 404 outside, anonymous 302 to the login page) and takes per-role
exceptions, ``signed_in()`` the same for URLs without object. ``post_only=True`` marks an
action URL: its GET answers are in ``expect`` and, besides, a POST (or the entry's
``method``) by every person to an object outside their scope must be a 404 (nothing
leaks, nothing changes).

Extending it (a new app): build the app's objects in a ``build_<app>`` function through
its services and add it to ``BUILDERS``; add its kinds to ``SCOPES``; then one entry per
URL name (pages, exports, downloads, API) in ``URLS``. A URL without an entry fails
``test_every_url_has_an_entry`` until it has one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils import timezone

from tests.factories import make_cast, make_org, new_issue, png, to_triaged

#: The people of the matrix, in the order the failures are reported. ``anonymous`` is
#: nobody signed in; the others are the cast's users (``tests/factories.py``).
ROLES = (
    "manager",  # store manager of Hangzhou (HZ001)
    "neighbour",  # store manager of Ningbo (NB001), the same region
    "ops",  # ops specialist of Hangzhou and Ningbo
    "director",  # regional director of the east (Hangzhou, Ningbo)
    "head",  # head of the IT department
    "member",  # member of the IT department
    "lead",  # quality lead (staff in the admin)
    "executive",  # executive: reads everything
    "dms",  # API client with issues:write, metrics:write, org:write
    "outsider",  # ops specialist without any store
    "anonymous",
)
SEES_ALL = ("lead", "executive", "dms")

Status = int | None
Expect = dict[str, Status | tuple[Status, Status]]


@dataclass(frozen=True)
class Url:
    """What the people get from one named URL (see the module docstring)."""

    expect: Expect
    #: The kind of object the URL addresses (a key of ``SCOPES``), or None.
    of: str | None = None
    #: ``kwargs(obj) -> dict``: the URL's arguments for that object.
    kwargs: Callable[[object], dict] | None = None
    #: An action URL: a POST by a person to an object outside their scope is a 404.
    post_only: bool = False
    #: Per role, what that POST answers instead of 404: a page gate that refuses the role
    #: whatever the object (403 for any id, so nothing leaks).
    post_outside: dict = field(default_factory=dict)
    #: The method of that write to an object outside the scope (an API endpoint that
    #: takes only PATCH or PUT is written to with it, not with a POST).
    method: str = "post"
    #: A query string for the GET (e.g. an export's filters).
    query: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- expectations


def signed_in(status: int = 200, *, anonymous: int = 302, **roles: int) -> Expect:
    """A URL without object: ``status`` for every signed-in person, with exceptions."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"not roles of the matrix: {unknown}"
    table: Expect = dict.fromkeys(ROLES, status)
    table.update(roles, anonymous=anonymous)
    return table


def scoped(
    inside: int = 200, outside: int = 404, *, anonymous: int = 302, **roles: int | tuple
) -> Expect:
    """A URL addressing an object: ``inside`` for an object in the person's scope,
    ``outside`` for one outside; a role given a single status gets it for both."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"not roles of the matrix: {unknown}"
    table: Expect = dict.fromkeys(ROLES, (inside, outside))
    for role, status in roles.items():
        table[role] = status if isinstance(status, tuple) else (status, status)
    table["anonymous"] = (anonymous, anonymous)
    return table


def code(store) -> dict:
    return {"code": store.code}


def number(issue) -> dict:
    return {"number": issue.number}


def pk(obj) -> dict:
    return {"pk": obj.pk}


# --------------------------------------------------------------------------- the world


def build_org(cast, world) -> None:
    org = cast.org
    world.store = SimpleNamespace(hz=org.hangzhou, nb=org.ningbo, gz=org.guangzhou)
    world.region = SimpleNamespace(east=org.east)
    world.department = SimpleNamespace(it=org.it)
    world.user = SimpleNamespace(
        **{role: getattr(cast, role) for role in ROLES[:-1]}, far=cast.far_manager
    )


def build_issues(cast, world) -> None:
    from issues import services

    org = cast.org
    hz = to_triaged(cast, new_issue(cast, files=[png("hz.png")]))  # → IT
    nb = to_triaged(cast, new_issue(cast, who=cast.neighbour, store=org.ningbo, files=[png()]))
    gz = new_issue(cast, who=cast.far_manager, store=org.guangzhou, files=[png("gz.png")])
    gz = services.triage(issue=gz, actor=cast.lead, priority="P2", department="SCM")
    world.issue = SimpleNamespace(hz=hz, nb=nb, gz=gz)
    world.attachment = SimpleNamespace(
        **{name: issue.attachments.get() for name, issue in vars(world.issue).items()}
    )
    world.systemic = SimpleNamespace(
        s=services.create_systemic_issue(actor=cast.lead, title="DMS 性能", issues=[hz])
    )


def build_notifications(cast, world) -> None:
    from closedloop.notifications.models import Notification

    now = timezone.now()
    own = {}
    for role in ROLES[:-1]:
        own[role] = Notification.objects.create(
            recipient=getattr(cast, role), kind="test", title=f"给{role}的通知", created_at=now
        )
    world.notification = SimpleNamespace(**own)


def build_integrations(cast, world) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from integrations.models import WebhookDelivery
    from integrations.services import imports, tokens, webhooks

    token, _key = tokens.issue_token(user=cast.dms, scopes=["issues:read"], name="matrix")
    world.token = SimpleNamespace(t=token)
    hook = webhooks.create_subscription(
        actor=cast.lead, url="http://127.0.0.1:9/hook", events=["issue.created"]
    )
    world.webhook = SimpleNamespace(w=hook)
    webhooks.emit("issue.created", {"number": world.issue.hz.number})
    world.delivery = SimpleNamespace(d=WebhookDelivery.objects.get(subscription=hook))
    csv = "问题编号,门店编码\nOLD-1,HZ001\n".encode()
    upload = SimpleUploadedFile("old.csv", csv, content_type="text/csv")
    world.issueimport = SimpleNamespace(i=imports.upload(actor=cast.lead, file=upload))
    world.metricdefinition = SimpleNamespace(m=_metric("waiting_minutes"))


def build_inspections(cast, world) -> None:
    from inspections import services
    from tests.inspections.helpers import finding, perform, start

    org = cast.org
    # Hangzhou's, by its ops specialist: issued, a finding, photos, and a resource
    # request addressed to IT (what brings the IT department into its follow-up).
    hz = perform(cast, findings=[finding()])
    services.request_resource(
        inspection=hz, actor=cast.ops, kind="it", what="进度显示屏", department=org.it
    )
    # Guangzhou's, by the quality lead: nobody of the east or of IT is involved.
    gz = perform(cast, store=org.guangzhou, who=cast.lead, findings=[finding()])
    services.request_resource(inspection=gz, actor=cast.lead, kind="budget", what="显示屏预算")
    world.inspection = SimpleNamespace(hz=hz, gz=gz)
    # Drafts being performed (not yet a report): the store's manager does not see them.
    world.draft = SimpleNamespace(
        hz=start(cast), gz=start(cast, store=org.guangzhou, who=cast.lead)
    )
    for kind, related in (
        ("finding", "findings"),
        ("photo", "photos"),
        ("resourcerequest", "resource_requests"),
    ):
        found = {
            name: getattr(obj, related).first() for name, obj in vars(world.inspection).items()
        }
        setattr(world, kind, SimpleNamespace(**found))


def build_rectification(cast, world) -> None:
    from closedloop.org.choices import Role
    from tests.factories import UserFactory
    from tests.rectification.helpers import iso, recent_executing, recent_project

    # Hangzhou's, run by its ops specialist and executing; its root measure is owned by
    # a member of IT (what brings the IT department in). A 5-Why row carries a photo.
    hz = recent_executing(cast)
    # Guangzhou's, run by the south's ops specialist; no measure owned by anybody of IT.
    south = UserFactory(username="south_ops", role=Role.OPS_SPECIALIST, stores=[cast.org.guangzhou])
    gz = recent_project(
        cast,
        who=south,
        store="GZ001",
        ops_specialist="south_ops",
        measures=[
            {"text": "补库存", "kind": "emergency", "owner_name": "配件经理", "deadline": iso(5)}
        ],
    )
    world.project = SimpleNamespace(hz=hz, gz=gz)
    for name, project in vars(world.project).items():
        why = project.whys.order_by("pk").first()
        why.photo = png(f"why-{name}.png")  # what the kick-off form's upload stores
        why.photo_type = "image/png"
        why.save()
    world.why = SimpleNamespace(
        **{name: p.whys.order_by("pk").first() for name, p in vars(world.project).items()}
    )
    world.measure = SimpleNamespace(
        **{name: p.measures.order_by("pk").first() for name, p in vars(world.project).items()}
    )
    # The case library: one case, written at closure step 5 of a Hangzhou project.
    from rectification import library
    from tests.rectification.closure_helpers import CASE, pending_closure

    source = pending_closure(cast)
    world.case = SimpleNamespace(c=library.save_case(project=source, actor=cast.ops, data=CASE))
    build_acceptances(cast, world, south)


def build_acceptances(cast, world, south) -> None:
    """A scorecard of a Hangzhou project and of a Guangzhou one (each scored by its ops
    specialist after the three signatures, the start and the submission)."""
    from closedloop.org.choices import Role
    from rectification import acceptance, services
    from tests.factories import UserFactory
    from tests.rectification.helpers import iso, recent_executing, recent_project

    def score(project, ops):
        project = services.submit(project=project, actor=ops)
        wait = project.goals.get(order=1)
        return acceptance.record_acceptance(
            project=project,
            actor=ops,
            data={
                "kind": "initial",
                "process": {"documents": 10, "mastery": 9, "execution": 10},
                "goals": [{"goal": wait.pk, "actual": 31, "score": 26}],
                "satisfaction": {"value": 84, "score": 8},
                "interviews": {"positive": 4, "neutral": 1, "negative": 0, "score": 10},
                "sustainability": 9,
            },
        )

    hz = score(recent_executing(cast), cast.ops)
    south_director = UserFactory(
        username="south_director", role=Role.REGIONAL_DIRECTOR, region=cast.org.guangzhou.region
    )
    gz = recent_project(
        cast,
        who=south,
        store="GZ001",
        ops_specialist="south_ops",
        regional_director="south_director",
        measures=[
            {"text": "补库存", "kind": "emergency", "owner_name": "配件经理", "deadline": iso(5)}
        ],
    )
    for signer in (cast.far_manager, south, south_director):
        gz = services.sign(project=gz, actor=signer)
    gz = services.start(project=gz, actor=south)
    world.acceptance = SimpleNamespace(hz=hz, gz=score(gz, south))


def build_dashboards(cast, world) -> None:
    from dashboards import services

    today = timezone.localdate()
    meeting = services.schedule_meeting(actor=cast.lead, date=today, topic="P1 分类准确率")
    meeting = services.start_meeting(actor=cast.lead, meeting=meeting)
    decision = services.capture_decision(
        actor=cast.lead,
        meeting=meeting,
        block="topic",
        text="IT 本周五前发布修复",
        owner=cast.head,
        due_on=today,
    )
    world.meeting = SimpleNamespace(m=meeting)
    world.decision = SimpleNamespace(d=decision)
    world.actionitem = SimpleNamespace(a=decision.action_item)
    target, _created = services.set_kpi_target(
        actor=cast.lead, metric="resolution_rate", target="0.9", valid_from=today
    )
    world.kpitarget = SimpleNamespace(t=target)


def build_reports(cast, world) -> None:
    import datetime as dt

    from dashboards import periods
    from reports import services
    from reports.choices import Kind

    week = periods.week(timezone.localdate() - dt.timedelta(days=7))
    world.report = SimpleNamespace(
        **{
            name: services.generate(kind=Kind.WEEKLY, period=week, region=region)
            for name, region in (
                ("national", None),
                ("east", cast.org.east),
                ("south", cast.org.south),
            )
        }
    )


def _metric(code):
    from integrations.models import MetricDefinition

    return MetricDefinition.objects.get(code=code)


#: Each app's part of the world, in order (each may use what the earlier ones made).
BUILDERS = [
    build_org,
    build_issues,
    build_notifications,
    build_integrations,
    build_inspections,
    build_rectification,
    build_dashboards,
    build_reports,
]


def build_world() -> SimpleNamespace:
    from closedloop.org.services import sync_admin_group

    cast = make_cast(make_org())
    cast.lead.is_staff = True  # what upsert_user gives a quality lead: the admin
    cast.lead.save()
    sync_admin_group(cast.lead)
    world = SimpleNamespace(cast=cast)
    for build in BUILDERS:
        build(cast, world)
    return world


#: kind → role → (the world's object inside the role's scope, one outside), by name.
SCOPES: dict[str, dict[str, tuple[str | None, str | None]]] = {
    # Store-side people see their stores, departments and HQ the whole directory.
    "store": {
        "manager": ("hz", "gz"),
        "neighbour": ("nb", "hz"),
        "ops": ("hz", "gz"),
        "director": ("hz", "gz"),
        "head": ("hz", None),
        "member": ("hz", None),
        "lead": ("hz", None),
        "executive": ("hz", None),
        "dms": ("hz", None),
        "outsider": (None, "hz"),
        "anonymous": ("hz", None),
    },
    # Regions and departments are reference data for everybody signed in.
    "region": dict.fromkeys(ROLES, ("east", None)),
    "department": dict.fromkeys(ROLES, ("it", None)),
    # People: themselves, headquarters, and the staff of the stores they see.
    "user": {
        "manager": ("manager", "far"),
        "neighbour": ("neighbour", "manager"),
        "ops": ("manager", "far"),
        "director": ("manager", "far"),
        "head": ("manager", None),
        "member": ("manager", None),
        "lead": ("manager", None),
        "executive": ("manager", None),
        "dms": ("manager", None),
        "outsider": ("outsider", "manager"),
        "anonymous": ("manager", None),
    },
    # Issues: hz (Hangzhou, routed to IT), nb (Ningbo, IT), gz (Guangzhou, SCM).
    "issue": {
        "manager": ("hz", "gz"),
        "neighbour": ("nb", "hz"),
        "ops": ("hz", "gz"),
        "director": ("hz", "gz"),
        "head": ("hz", "gz"),
        "member": ("hz", "gz"),
        "lead": ("hz", None),
        "executive": ("hz", None),
        "dms": ("hz", None),
        "outsider": (None, "hz"),
        "anonymous": ("hz", None),
    },
    # Systemic issues are headquarters' work: stores and machine clients see none.
    "systemic": {
        **dict.fromkeys(ROLES, ("s", None)),
        "manager": (None, "s"),
        "neighbour": (None, "s"),
        "dms": (None, "s"),
    },
    # Notifications: one's own inbox only.
    "notification": {
        **{role: (role, "lead") for role in ROLES},
        "lead": ("lead", "manager"),
        "anonymous": ("manager", None),
    },
}
SCOPES["attachment"] = SCOPES["issue"]
# Integration: credentials, subscriptions and imports are the quality lead's.
_LEAD_ONLY = {**dict.fromkeys(ROLES, (None, "x")), "lead": ("x", None), "anonymous": ("x", None)}
for _kind, _name in (("token", "t"), ("webhook", "w"), ("delivery", "d"), ("issueimport", "i")):
    SCOPES[_kind] = {
        role: tuple(_name if side else None for side in pair) for role, pair in _LEAD_ONLY.items()
    }
SCOPES["metricdefinition"] = dict.fromkeys(ROLES, ("m", None))
# Inspections: hz (Hangzhou, a resource request addressed to IT), gz (Guangzhou). Store
# people see their stores', IT what its department is asked for, HQ everything.
SCOPES["inspection"] = {
    "manager": ("hz", "gz"),
    "neighbour": (None, "hz"),
    "ops": ("hz", "gz"),
    "director": ("hz", "gz"),
    "head": ("hz", "gz"),
    "member": ("hz", "gz"),
    "lead": ("hz", None),
    "executive": ("hz", None),
    "dms": ("hz", None),
    "outsider": (None, "hz"),
    "anonymous": ("hz", None),
}
for _kind in ("finding", "photo", "resourcerequest"):
    SCOPES[_kind] = SCOPES["inspection"]
# Drafts: hz (Hangzhou, by its ops specialist), gz (Guangzhou, by the quality lead); a
# draft is the inspector's side's, not yet the store's nor a department's.
SCOPES["draft"] = {
    **SCOPES["inspection"],
    "manager": (None, "hz"),
    "head": (None, "hz"),
    "member": (None, "hz"),
}

# Rectification projects: hz (Hangzhou, executing, a measure owned by IT's member), gz
# (Guangzhou, run by the south's ops specialist). Store-side people by their stores,
# department people the projects with a measure they own (a head: their department's),
# the quality lead and the executive everything; machine clients need their own scope.
SCOPES["project"] = {
    "manager": ("hz", "gz"),
    "neighbour": (None, "hz"),
    "ops": ("hz", "gz"),
    "director": ("hz", "gz"),
    "head": ("hz", "gz"),
    "member": ("hz", "gz"),
    "lead": ("hz", None),
    "executive": ("hz", None),
    "dms": (None, "hz"),
    "outsider": (None, "hz"),
    "anonymous": ("hz", None),
}
for _kind in ("why", "measure", "acceptance"):
    SCOPES[_kind] = SCOPES["project"]
# The case library is shared with everybody signed in (rectification.policy.can_view_cases).
SCOPES["case"] = dict.fromkeys(ROLES, ("c", None))
# The weekly meeting, its decisions and action items are headquarters' work: stores and
# machine clients see none. KPI targets are read by everybody the KPI API lets in.
_HQ = {
    **dict.fromkeys(ROLES, ("x", None)),
    "manager": (None, "x"),
    "neighbour": (None, "x"),
    "dms": (None, "x"),
}
for _kind, _name in (("meeting", "m"), ("decision", "d"), ("actionitem", "a")):
    SCOPES[_kind] = {
        role: tuple(_name if side else None for side in pair) for role, pair in _HQ.items()
    }
SCOPES["kpitarget"] = dict.fromkeys(ROLES, ("t", None))
# Reports (weekly, published): national, east, south. The quality lead and executives
# read every one, a regional director their region's, nobody else any (the DMS has no
# reports:read).
SCOPES["report"] = {
    **dict.fromkeys(ROLES, (None, "east")),
    "director": ("east", "south"),
    "lead": ("east", None),
    "executive": ("east", None),
    "anonymous": ("east", None),
}


def objects(world, kind: str, role: str) -> tuple[object | None, object | None]:
    inside, outside = SCOPES[kind][role]
    found = getattr(world, kind)
    return (
        getattr(found, inside) if inside else None,
        getattr(found, outside) if outside else None,
    )


# --------------------------------------------------------------------------- the table


def issue_action(action: str):
    return lambda issue: {"number": issue.number, "action": action}


def attachment(item) -> dict:
    return {"number": item.issue.number, "pk": item.pk}


def api_attachment(item) -> dict:
    return {"number": item.issue.number, "attachment_id": item.pk}


def delivery(item) -> dict:
    return {"pk": item.subscription_id, "delivery_id": item.delivery_id}


def api_delivery(item) -> dict:
    return {"pk": item.subscription_id, "delivery_id": item.delivery_id}


def metric_code(item) -> dict:
    return {"code": item.code}


def username(user) -> dict:
    return {"username": user.username}


def inspection_photo(photo) -> dict:
    return {"pk": photo.inspection_id, "photo_pk": photo.pk}


def inspection_target(finding) -> dict:
    """A page action on one row of the inspection: the finding's action plan."""
    return {"pk": finding.inspection_id, "action": "plan", "target": finding.pk}


def api_finding(finding) -> dict:
    return {"pk": finding.inspection_id, "finding_id": finding.pk}


def api_resource(request) -> dict:
    return {"pk": request.inspection_id, "request_id": request.pk}


def ref(project) -> dict:
    return {"number": project.number}


def project_action(action: str):
    return lambda project: {"number": project.number, "action": action}


def project_measure(measure) -> dict:
    return {"number": measure.project.number, "pk": measure.pk}


def project_acceptance(item) -> dict:
    return {"number": item.project.number, "pk": item.pk}


def project_why(why) -> dict:
    return {"number": why.project.number, "pk": why.pk}


def kpi_metric(target) -> dict:
    return {"metric": target.metric}


def action(**roles) -> Expect:
    """A POST-only URL addressing an object: a GET is 405 for everybody signed in."""
    return scoped(405, 405, **roles)


#: The issue actions of the API (``POST /api/v1/issues/{number}/<action>/``).
API_ISSUE_ACTIONS = (
    "accept",
    "ask-store",
    "assign",
    "attachments",
    "comments",
    "confirm",
    "duplicate",
    "priority",
    "reject",
    "reopen",
    "resolve",
    "resume",
    "store-reply",
    "triage",
)

#: The inspection actions of the API that take a POST
#: (``POST /api/v1/inspections/{id}/<action>/``), by URL name.
API_INSPECTION_POSTS = (
    "add-finding",
    "close",
    "experience",
    "issue-report",
    "logs",
    "metrics",
    "photos",
    "reinspections",
    "resource-requests",
    "spot-checks",
)

#: The integration's pages are the quality lead's: everybody else gets 403 for any id.
NOT_LEAD_403 = {role: 403 for role in ROLES if role not in ("lead", "anonymous")}

#: The DMS's token has no rectification scope: refused whatever the project (no leak).
NO_RECTIFICATION_SCOPE = {"dms": 403}

URLS: dict[str, Url] = {
    # --- the site ------------------------------------------------------------------------
    "home": Url(signed_in()),
    "healthz": Url(signed_in(anonymous=200)),  # for the load balancer
    "login": Url(signed_in(302, anonymous=200)),  # signed in: on to the home page
    "logout": Url(signed_in(405, anonymous=405)),  # POST only
    "password_change": Url(signed_in()),
    "password_change_done": Url(signed_in()),
    # The admin site has its own permissions (staff, the quality lead's group): its index
    # stands for all its pages; everybody else is sent to the admin's login.
    "admin:index": Url(signed_in(302, lead=200)),
    # --- org: the directory is for people, the import for the quality lead ---------------
    "org:store_list": Url(signed_in(dms=403)),
    "org:store_detail": Url(scoped(dms=403), of="store", kwargs=code),
    "org:import": Url(signed_in(403, lead=200)),
    "org:import_template": Url(signed_in(403, lead=200)),
    "org:set_language": Url(signed_in(405)),  # POST only
    # --- issues --------------------------------------------------------------------------
    "issues:list": Url(signed_in(dms=404)),
    "issues:export": Url(signed_in(dms=404)),
    "issues:submit": Url(
        signed_in(403, manager=200, neighbour=200, ops=200, lead=200, outsider=200)
    ),
    "issues:my_store": Url(signed_in(403, manager=200, neighbour=200)),
    "issues:mine": Url(signed_in(403, head=200, member=200, ops=200, outsider=200)),
    "issues:triage": Url(signed_in(403, ops=200, lead=200, outsider=200)),
    "issues:systemic_list": Url(signed_in(manager=404, neighbour=404, dms=404)),
    "issues:systemic_new": Url(signed_in(403, ops=200, lead=200, outsider=200)),
    "issues:systemic_detail": Url(scoped(), of="systemic", kwargs=pk),
    "issues:systemic_add": Url(action(), of="systemic", kwargs=pk, post_only=True),
    "issues:systemic_status": Url(action(), of="systemic", kwargs=pk, post_only=True),
    "issues:detail": Url(scoped(), of="issue", kwargs=number),
    "issues:submitted": Url(scoped(), of="issue", kwargs=number),
    "issues:action": Url(action(), of="issue", kwargs=issue_action("accept"), post_only=True),
    "issues:attachment": Url(scoped(), of="attachment", kwargs=attachment),
    # --- notifications: one's own inbox ---------------------------------------------------
    "notifications:inbox": Url(signed_in()),
    "notifications:read_all": Url(signed_in(405)),  # POST only
    "notifications:preferences": Url(signed_in()),
    "notifications:read": Url(action(), of="notification", kwargs=pk, post_only=True),
    # Opening reads it and goes on to its page (302); another person's is a 404.
    "notifications:open": Url(scoped(302), of="notification", kwargs=pk),
    # --- the API: 401 without credentials; the schema and its docs are public ------------
    "api:root": Url(signed_in(anonymous=200)),  # an index of the API
    "api:schema": Url(signed_in(anonymous=200)),
    "api:docs": Url(signed_in(anonymous=200)),
    "api:store-list": Url(signed_in(anonymous=401)),
    "api:store-detail": Url(scoped(anonymous=401), of="store", kwargs=code),
    "api:region-list": Url(signed_in(anonymous=401)),
    "api:region-detail": Url(scoped(anonymous=401), of="region", kwargs=code),
    "api:department-list": Url(signed_in(anonymous=401)),
    "api:department-detail": Url(scoped(anonymous=401), of="department", kwargs=code),
    "api:user-list": Url(signed_in(anonymous=401)),
    "api:user-detail": Url(scoped(anonymous=401), of="user", kwargs=username),
    "api:issue-list": Url(signed_in(anonymous=401)),
    "api:issue-detail": Url(scoped(anonymous=401), of="issue", kwargs=number),
    **{
        f"api:issue-{name}": Url(action(anonymous=401), of="issue", kwargs=number, post_only=True)
        for name in API_ISSUE_ACTIONS
    },
    "api:issue-attachment-download": Url(
        scoped(anonymous=401), of="attachment", kwargs=api_attachment
    ),
    "api:notification-list": Url(signed_in(anonymous=401)),
    "api:notification-read-all": Url(signed_in(405, anonymous=401)),  # POST only
    "api:notification-read": Url(
        action(anonymous=401), of="notification", kwargs=pk, post_only=True
    ),
    # --- integrations: the quality lead's pages; the DMS's API ---------------------------
    "integrations:tokens": Url(signed_in(403, lead=200)),
    "integrations:token_revoke": Url(
        action(lead=405), of="token", kwargs=pk, post_only=True, post_outside=NOT_LEAD_403
    ),
    "integrations:webhooks": Url(signed_in(403, lead=200)),
    "integrations:webhook_detail": Url(scoped(403, 403, lead=200), of="webhook", kwargs=pk),
    "integrations:webhook_toggle": Url(
        action(), of="webhook", kwargs=pk, post_only=True, post_outside=NOT_LEAD_403
    ),
    "integrations:webhook_delete": Url(
        action(), of="webhook", kwargs=pk, post_only=True, post_outside=NOT_LEAD_403
    ),
    "integrations:webhook_redeliver": Url(
        action(), of="delivery", kwargs=delivery, post_only=True, post_outside=NOT_LEAD_403
    ),
    "integrations:imports": Url(signed_in(403, lead=200)),
    "integrations:import_template": Url(signed_in(403, lead=200)),
    "integrations:import_detail": Url(scoped(403, 403, lead=200), of="issueimport", kwargs=pk),
    "integrations:metrics": Url(signed_in(403, lead=200)),
    "api:token-list": Url(signed_in(403, lead=200, anonymous=401)),
    # Endpoints of the quality lead's: other people are refused whatever the id (no leak).
    "api:token-detail": Url(scoped(403, 403, lead=405, anonymous=401), of="token", kwargs=pk),
    "api:metric-definition-list": Url(signed_in(anonymous=401)),
    "api:metric-definition-detail": Url(
        scoped(anonymous=401), of="metricdefinition", kwargs=metric_code
    ),
    "api:metric-list": Url(signed_in(anonymous=401)),
    "api:webhook-list": Url(signed_in(403, lead=200, anonymous=401)),
    "api:webhook-detail": Url(scoped(403, 403, lead=200, anonymous=401), of="webhook", kwargs=pk),
    "api:webhook-deliveries": Url(
        scoped(403, 403, lead=200, anonymous=401), of="webhook", kwargs=pk
    ),
    "api:webhook-redeliver": Url(
        scoped(403, 403, lead=405, anonymous=401), of="delivery", kwargs=api_delivery
    ),
    "api:import-issues": Url(signed_in(403, lead=405, anonymous=401)),
    # --- inspections: store people see their stores', IT what asks it, HQ everything ------
    # The list is the reports' and the work list; machine clients have no page.
    "inspections:list": Url(signed_in(dms=404)),
    # Starting one is the inspectors' (ops specialists, the quality lead).
    "inspections:new": Url(signed_in(403, ops=200, lead=200, outsider=200)),
    # The improvement board: ops, directors, HQ; a gate for the others whatever the filter.
    "inspections:board": Url(
        signed_in(403, ops=200, director=200, lead=200, executive=200, outsider=200)
    ),
    "inspections:board_export": Url(
        signed_in(403, ops=200, director=200, lead=200, executive=200, outsider=200)
    ),
    "inspections:detail": Url(scoped(), of="inspection", kwargs=pk),
    # Performing a draft is its inspector's side's; the others who see it may only read.
    "inspections:perform": Url(scoped(403, ops=(200, 404), lead=200), of="draft", kwargs=pk),
    "inspections:report": Url(scoped(), of="inspection", kwargs=pk),
    "inspections:report_pdf": Url(scoped(), of="inspection", kwargs=pk),
    "inspections:photo": Url(scoped(), of="photo", kwargs=inspection_photo),
    "inspections:action": Url(
        action(), of="inspection", kwargs=lambda i: {"pk": i.pk, "action": "log"}, post_only=True
    ),
    "inspections:target_action": Url(
        action(), of="finding", kwargs=inspection_target, post_only=True
    ),
    # The DMS client holds no inspections scope: every inspections API answers it 403.
    "api:inspection-list": Url(signed_in(anonymous=401, dms=403)),
    "api:inspection-templates": Url(signed_in(anonymous=401, dms=403)),
    "api:inspection-board": Url(signed_in(anonymous=401, dms=403)),
    "api:inspection-detail": Url(scoped(anonymous=401, dms=403), of="inspection", kwargs=pk),
    **{
        f"api:inspection-{name}": Url(
            action(anonymous=401, dms=403), of="inspection", kwargs=pk, post_only=True
        )
        for name in API_INSPECTION_POSTS
    },
    "api:inspection-follow-up": Url(
        action(anonymous=401, dms=403),
        of="inspection",
        kwargs=lambda i: {"pk": i.pk, "step": "call"},
        post_only=True,
    ),
    "api:inspection-finding-issue": Url(
        action(anonymous=401, dms=403), of="finding", kwargs=api_finding, post_only=True
    ),
    # PATCH or PUT only: written to with that method.
    "api:inspection-finding": Url(
        action(anonymous=401, dms=403),
        of="finding",
        kwargs=api_finding,
        post_only=True,
        method="patch",
    ),
    "api:inspection-resource-request": Url(
        action(anonymous=401, dms=403),
        of="resourcerequest",
        kwargs=api_resource,
        post_only=True,
        method="patch",
    ),
    "api:inspection-closure": Url(
        action(anonymous=401, dms=403), of="inspection", kwargs=pk, post_only=True, method="put"
    ),
    # --- rectification: store-side people their stores', departments what they own -----
    "rectification:board": Url(signed_in(dms=404)),
    # 我的整改 is for the people who run, sign or own a part of projects.
    "rectification:mine": Url(signed_in(executive=404, dms=404)),
    "rectification:create": Url(signed_in(403, ops=200, lead=200, outsider=200)),
    "rectification:export": Url(signed_in(dms=404)),
    "rectification:detail": Url(scoped(), of="project", kwargs=ref),
    # The kick-off form is the project's ops specialist's (and the quality lead's); once
    # kicked off (the matrix's Hangzhou project is executing) it is locked: 409.
    "rectification:edit": Url(scoped(403, ops=(409, 404), lead=409), of="project", kwargs=ref),
    # Tracking records are the project's ops specialist's (and the quality lead's).
    "rectification:track": Url(scoped(403, ops=(200, 404), lead=200), of="project", kwargs=ref),
    "rectification:kickoff_pdf": Url(scoped(), of="project", kwargs=ref),
    "rectification:why_photo": Url(scoped(), of="why", kwargs=project_why),
    "rectification:action": Url(
        action(), of="project", kwargs=project_action("sign"), post_only=True
    ),
    "rectification:measure": Url(action(), of="measure", kwargs=project_measure, post_only=True),
    # Scorecards and rechecks are the project's ops specialist's (and the quality lead's);
    # the matrix's Hangzhou project is executing: neither is possible yet (409).
    "rectification:acceptance_new": Url(
        scoped(403, ops=(409, 404), lead=409), of="project", kwargs=ref
    ),
    "rectification:acceptance_preview": Url(action(), of="project", kwargs=ref, post_only=True),
    "rectification:recheck": Url(scoped(403, ops=(409, 404), lead=409), of="project", kwargs=ref),
    "rectification:acceptance_pdf": Url(scoped(), of="acceptance", kwargs=project_acceptance),
    "rectification:acceptance_sign": Url(
        action(), of="acceptance", kwargs=project_acceptance, post_only=True
    ),
    "api:rectification-list": Url(signed_in(dms=403, anonymous=401)),
    "api:rectification-detail": Url(
        scoped(dms=403, anonymous=401),
        of="project",
        kwargs=ref,
        post_only=True,
        method="patch",
        post_outside=NO_RECTIFICATION_SCOPE,
    ),
    **{
        f"api:rectification-{name}": Url(
            action(dms=403, anonymous=401),
            of="project",
            kwargs=ref,
            post_only=True,
            post_outside=NO_RECTIFICATION_SCOPE,
        )
        for name in (
            "cancel",
            "sign",
            "start",
            "submit",
            "tracking-logs",
            "rechecks",
            "sign-acceptance",
            "close",
        )
    },
    "api:rectification-acceptances": Url(
        scoped(dms=403, anonymous=401),
        of="project",
        kwargs=ref,
        post_only=True,
        post_outside=NO_RECTIFICATION_SCOPE,
    ),
    # The closure checklist: read by whoever sees the project (the matrix's project is
    # executing: nothing to fill yet); written (PUT) only inside the scope.
    "api:rectification-closure": Url(
        scoped(dms=403, anonymous=401),
        of="project",
        kwargs=ref,
        post_only=True,
        method="put",
        post_outside=NO_RECTIFICATION_SCOPE,
    ),
    "api:case-list": Url(signed_in(dms=403, anonymous=401)),
    # Its page opens once the project is observing; the matrix's project is executing.
    "rectification:closure": Url(scoped(409), of="project", kwargs=ref),
    "rectification:closure_pdf": Url(scoped(409), of="project", kwargs=ref),
    "rectification:close": Url(action(), of="project", kwargs=ref, post_only=True),
    # Closure step 5's case form: the project's ops specialist's (and the quality lead's),
    # once the project waits for closure.
    "rectification:case_edit": Url(scoped(403, ops=(409, 404), lead=409), of="project", kwargs=ref),
    "rectification:cases": Url(signed_in(dms=403)),
    "rectification:case": Url(scoped(dms=403), of="case", kwargs=pk),
    # --- dashboards: headquarters' pages; the KPI API for HQ and machine clients --------
    "dashboards:board": Url(signed_in(manager=403, neighbour=403, dms=403)),
    "dashboards:process": Url(signed_in(manager=403, neighbour=403, dms=403)),
    "dashboards:export": Url(signed_in(manager=403, neighbour=403, dms=403)),
    "dashboards:targets": Url(signed_in(manager=403, neighbour=403, dms=403)),
    "dashboards:rollout": Url(signed_in(manager=403, neighbour=403, dms=403)),
    "dashboards:meeting_list": Url(signed_in(manager=403, neighbour=403, dms=403)),
    "dashboards:meeting_new": Url(signed_in(403, lead=200)),
    "dashboards:meeting_detail": Url(scoped(), of="meeting", kwargs=pk),
    "dashboards:meeting_mode": Url(scoped(), of="meeting", kwargs=pk),
    "dashboards:meeting_edit": Url(action(), of="meeting", kwargs=pk, post_only=True),
    "dashboards:meeting_attendance": Url(action(), of="meeting", kwargs=pk, post_only=True),
    "dashboards:meeting_action": Url(
        action(), of="meeting", kwargs=lambda m: {"pk": m.pk, "action": "finish"}, post_only=True
    ),
    "dashboards:decision_capture": Url(action(), of="meeting", kwargs=pk, post_only=True),
    "dashboards:decision_update": Url(action(), of="decision", kwargs=pk, post_only=True),
    "dashboards:action_list": Url(signed_in(manager=403, neighbour=403, dms=403)),
    "dashboards:action_item_action": Url(
        action(),
        of="actionitem",
        kwargs=lambda a: {"pk": a.pk, "action": "complete"},
        post_only=True,
    ),
    "api:kpis": Url(signed_in(manager=403, neighbour=403, anonymous=401)),
    "api:kpi-targets": Url(signed_in(manager=403, neighbour=403, anonymous=401)),
    "api:kpi-target": Url(
        scoped(manager=403, neighbour=403, anonymous=401), of="kpitarget", kwargs=kpi_metric
    ),
    # --- reports: the quality lead, executives and (their region's) directors ------------
    "reports:list": Url(signed_in(403, director=200, lead=200, executive=200)),
    "reports:detail": Url(scoped(), of="report", kwargs=pk),
    "reports:xlsx": Url(scoped(), of="report", kwargs=pk),
    "reports:pdf": Url(scoped(), of="report", kwargs=pk),
    # The prose is the effect report's; the matrix's weekly reports have none: 409.
    "reports:edit": Url(scoped(403, lead=409), of="report", kwargs=pk),
    "reports:publish": Url(action(), of="report", kwargs=pk, post_only=True),
    "reports:regenerate": Url(action(), of="report", kwargs=pk, post_only=True),
    "api:report-list": Url(signed_in(dms=403, anonymous=401)),
    **{
        f"api:report-{name}": Url(scoped(dms=403, anonymous=401), of="report", kwargs=pk)
        for name in ("detail", "html", "xlsx", "pdf")
    },
}
