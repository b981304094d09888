"""Factories of the test data: organisation rows (factory_boy, with ``SubFactory``),
issues and notifications made through the product's own services, and small values
(Shanghai times, PNG uploads). The shared cast of people is in ``conftest.py``."""

import datetime as dt
import io
from types import SimpleNamespace

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from closedloop.org.choices import Role
from closedloop.org.models import Department, Region, Store, User


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.Sequence(lambda n: f"区域{n}")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:02d}")
    name = factory.Sequence(lambda n: f"部门{n}")


class StoreFactory(DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"测试{n} 4S店")
    city = "杭州"
    region = factory.SubFactory(RegionFactory)
    tier = "B"
    monthly_throughput = 350


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    role = Role.STORE_MANAGER
    password = factory.django.Password("pw-Secret-123")

    @factory.post_generation
    def stores(self, create, extracted, **kwargs):
        if create and extracted:
            self.stores.set(extracted)


# --- the cast ---------------------------------------------------------------------------


def make_org() -> SimpleNamespace:
    """Two regions (EAST, SOUTH), two departments (IT, SCM), three stores: Hangzhou and
    Ningbo in the east, Guangzhou in the south."""
    east = RegionFactory(code="EAST", name="华东")
    south = RegionFactory(code="SOUTH", name="华南")
    it = DepartmentFactory(code="IT", name="IT")
    supply = DepartmentFactory(code="SCM", name="供应链")
    hangzhou = StoreFactory(code="HZ001", name="杭州XX 4S店", city="杭州", region=east)
    ningbo = StoreFactory(code="NB001", name="宁波XX 4S店", city="宁波", region=east, tier="A")
    guangzhou = StoreFactory(code="GZ001", name="广州XX 4S店", city="广州", region=south, tier="C")
    return SimpleNamespace(
        east=east,
        south=south,
        it=it,
        supply=supply,
        hangzhou=hangzhou,
        ningbo=ningbo,
        guangzhou=guangzhou,
    )


def make_cast(org) -> SimpleNamespace:
    """One person per role (the manager of Hangzhou, the ops specialist of Hangzhou and
    Ningbo, the east's director, the IT head and member, …), the Ningbo ``neighbour``, the
    Guangzhou ``far_manager``, the SCM head, and an ``outsider`` (an ops specialist with no
    store); ``cast.org`` is ``org``."""
    users = SimpleNamespace(
        manager=UserFactory(username="manager", role=Role.STORE_MANAGER, store=org.hangzhou),
        neighbour=UserFactory(username="neighbour", role=Role.STORE_MANAGER, store=org.ningbo),
        far_manager=UserFactory(
            username="far_manager", role=Role.STORE_MANAGER, store=org.guangzhou
        ),
        ops=UserFactory(
            username="ops", role=Role.OPS_SPECIALIST, stores=[org.hangzhou, org.ningbo]
        ),
        director=UserFactory(username="director", role=Role.REGIONAL_DIRECTOR, region=org.east),
        head=UserFactory(username="head", role=Role.DEPARTMENT_HEAD, department=org.it),
        member=UserFactory(username="member", role=Role.DEPARTMENT_MEMBER, department=org.it),
        scm_head=UserFactory(username="scm_head", role=Role.DEPARTMENT_HEAD, department=org.supply),
        lead=UserFactory(username="lead", role=Role.QUALITY_LEAD),
        executive=UserFactory(username="executive", role=Role.EXECUTIVE),
        dms=UserFactory(
            username="dms",
            role=Role.API_CLIENT,
            api_scopes=["issues:write", "metrics:write", "org:write"],
        ),
        outsider=UserFactory(username="outsider", role=Role.OPS_SPECIALIST),
    )
    org.it.head = users.head
    org.it.save()
    org.supply.head = users.scm_head
    org.supply.save()
    users.org = org
    return users


# --- values ---------------------------------------------------------------------------

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(*args) -> dt.datetime:
    """An aware datetime in Asia/Shanghai: at(2026, 11, 23, 10, 0)."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def png(name="photo.png", size=(40, 30)) -> SimpleUploadedFile:
    """A small real PNG upload (the attachment checks read the content)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- issues: made and moved through the service functions, never by hand ---------------


def new_issue(cast, *, who=None, store=None, when=None, **fields):
    """An issue submitted by ``who`` (the cast's store manager) for ``store`` (Hangzhou)
    at ``when`` (now); ``fields`` override the five the store fills in."""
    from issues import services

    data = {
        "category": "system",
        "title": "DMS 工单流转缓慢",
        "description": "开单后要等 5 分钟才能派工，客户排队。",
        "impact_scope": "store",
    }
    data.update(fields)
    issue, _created = services.create_issue(
        submitted_by=who or cast.manager,
        store=store or cast.org.hangzhou,
        at=when or timezone.now(),
        **data,
    )
    return issue


def to_triaged(cast, issue, when=None, priority="P1"):
    """Triaged by the cast's ops specialist to IT."""
    from issues import services

    return services.triage(issue=issue, actor=cast.ops, priority=priority, department="IT", at=when)


def to_in_progress(cast, issue, when=None):
    """Triaged, then accepted by the IT head."""
    from issues import services

    issue = to_triaged(cast, issue, when)
    return services.accept(issue=issue, actor=cast.head, at=when)


def to_resolved(cast, issue, when=None):
    """Triaged, accepted and resolved by the IT head."""
    from issues import services

    issue = to_in_progress(cast, issue, when)
    return services.resolve(issue=issue, actor=cast.head, resolution="已优化派工流程", at=when)


# --- notifications --------------------------------------------------------------------


def new_notification(user, title="通知", *, minutes_ago=0, read=False, **fields):
    """An inbox row of ``user``, created ``minutes_ago``, read then when ``read``."""
    from closedloop.notifications.models import Notification

    moment = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=user,
        kind=fields.pop("kind", "issue_assigned"),
        title=title,
        created_at=moment,
        read_at=moment if read else None,
        **fields,
    )
