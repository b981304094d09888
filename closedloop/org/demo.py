"""A realistic demo organisation: seven regions, about thirty stores, the default
departments and one or more people of every role.

Everything is written through the services in ``services.py`` (upsert by business key),
so loading twice updates in place and never duplicates. ``load_org()`` returns what it
wrote, so later apps can put demo issues, projects and inspections on top.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from .choices import ApiScope, Role
from .models import Department, Region, Store, User
from .services import upsert_department, upsert_region, upsert_store, upsert_user

#: The one password of every demo login (passes Django's password validators).
DEMO_PASSWORD = "Demo-2026!"
#: The user whose existence tells ``load_demo --if-empty`` that the demo is loaded.
MARKER_USERNAME = "quality_lead"

REGIONS = [
    ("EAST", "华东"),
    ("SOUTH", "华南"),
    ("NORTH", "华北"),
    ("SOUTHWEST", "西南"),
    ("CENTRAL", "华中"),
    ("NORTHWEST", "西北"),
    ("NORTHEAST", "东北"),
]

PILOT, BATCH_1, BATCH_2 = "试点", "第1批", "第2批"

# (code, name, city, region, tier, monthly throughput, rollout batch, go-live date)
STORES = [
    ("HZ001", "杭州XX 4S店", "杭州", "EAST", "B", 350, PILOT, "2025-03-03"),
    ("HZ002", "杭州滨江 4S店", "杭州", "EAST", "A", 620, BATCH_1, "2025-05-12"),
    ("NB001", "宁波鄞州 4S店", "宁波", "EAST", "A", 540, BATCH_1, "2025-05-12"),
    ("SH001", "上海浦东 4S店", "上海", "EAST", "A", 880, PILOT, "2025-03-03"),
    ("SH002", "上海嘉定 4S店", "上海", "EAST", "B", 410, BATCH_1, "2025-05-19"),
    ("NJ001", "南京江宁 4S店", "南京", "EAST", "B", 380, BATCH_2, "2025-08-04"),
    ("SUZ001", "苏州园区 4S店", "苏州", "EAST", "A", 590, BATCH_1, "2025-05-19"),
    ("GZ001", "广州天河 4S店", "广州", "SOUTH", "A", 760, PILOT, "2025-03-10"),
    ("GZ002", "广州番禺 4S店", "广州", "SOUTH", "B", 330, BATCH_2, "2025-08-11"),
    ("SZ001", "深圳南山 4S店", "深圳", "SOUTH", "A", 710, BATCH_1, "2025-05-26"),
    ("FS001", "佛山顺德 4S店", "佛山", "SOUTH", "B", 290, BATCH_2, "2025-08-11"),
    ("DG001", "东莞南城 4S店", "东莞", "SOUTH", "C", 180, BATCH_2, "2025-08-18"),
    ("BJ001", "北京朝阳 4S店", "北京", "NORTH", "A", 830, PILOT, "2025-03-10"),
    ("BJ002", "北京亦庄 4S店", "北京", "NORTH", "B", 420, BATCH_1, "2025-06-02"),
    ("TJ001", "天津滨海 4S店", "天津", "NORTH", "B", 360, BATCH_1, "2025-06-02"),
    ("SJZ001", "石家庄裕华 4S店", "石家庄", "NORTH", "C", 210, BATCH_2, "2025-08-25"),
    ("TY001", "太原小店 4S店", "太原", "NORTH", "C", 170, BATCH_2, "2025-08-25"),
    ("CD001", "成都高新 4S店", "成都", "SOUTHWEST", "A", 690, PILOT, "2025-03-17"),
    ("CD002", "成都武侯 4S店", "成都", "SOUTHWEST", "B", 340, BATCH_1, "2025-06-09"),
    ("CQ001", "重庆渝北 4S店", "重庆", "SOUTHWEST", "A", 650, BATCH_1, "2025-06-09"),
    ("KM001", "昆明官渡 4S店", "昆明", "SOUTHWEST", "C", 190, BATCH_2, "2025-09-01"),
    ("GY001", "贵阳观山湖 4S店", "贵阳", "SOUTHWEST", "C", 160, BATCH_2, "2025-09-01"),
    ("WH001", "武汉光谷 4S店", "武汉", "CENTRAL", "A", 610, BATCH_1, "2025-06-16"),
    ("CS001", "长沙岳麓 4S店", "长沙", "CENTRAL", "B", 370, BATCH_1, "2025-06-16"),
    ("ZZ001", "郑州郑东 4S店", "郑州", "CENTRAL", "B", 390, BATCH_2, "2025-09-08"),
    ("NC001", "南昌红谷滩 4S店", "南昌", "CENTRAL", "C", 200, BATCH_2, "2025-09-08"),
    ("XA001", "西安曲江 4S店", "西安", "NORTHWEST", "A", 560, BATCH_1, "2025-06-23"),
    ("LZ001", "兰州安宁 4S店", "兰州", "NORTHWEST", "C", 150, BATCH_2, "2025-09-15"),
    ("YC001", "银川金凤 4S店", "银川", "NORTHWEST", "C", 120, BATCH_2, "2025-09-15"),
    ("SY001", "沈阳浑南 4S店", "沈阳", "NORTHEAST", "B", 320, BATCH_1, "2025-06-30"),
    ("DL001", "大连甘井子 4S店", "大连", "NORTHEAST", "B", 300, BATCH_2, "2025-09-22"),
    ("CC001", "长春净月 4S店", "长春", "NORTHEAST", "C", 180, BATCH_2, "2025-09-22"),
    ("HRB001", "哈尔滨松北 4S店", "哈尔滨", "NORTHEAST", "C", 140, BATCH_2, "2025-09-29"),
]

# (code, name, head username, head display name)
DEPARTMENTS = [
    ("IT", "IT", "head_it", "孙浩"),
    ("PRODUCT", "产品", "head_product", "林静"),
    ("SCM", "供应链", "head_scm", "郭强"),
    ("CS", "客服", "head_cs", "何丽"),
    ("TRAINING", "培训", "head_training", "马俊"),
    ("OPS", "运营", "head_ops", "高峰"),
]

# (username, display name, department)
DEPARTMENT_MEMBERS = [
    ("member_it", "吴磊", "IT"),
    ("member_it_dms", "郑凯", "IT"),
    ("member_scm", "冯雪", "SCM"),
    ("member_cs", "曹颖", "CS"),
    ("member_training", "彭程", "TRAINING"),
]

# (username, display name, region whose stores they look after)
OPS_SPECIALISTS = [
    ("ops_east", "李娜", "EAST"),
    ("ops_south", "张伟", "SOUTH"),
    ("ops_north", "刘洋", "NORTH"),
    ("ops_southwest", "杨帆", "SOUTHWEST"),
    ("ops_central", "黄蕾", "CENTRAL"),
    ("ops_northwest", "罗斌", "NORTHWEST"),
    ("ops_northeast", "谢婷", "NORTHEAST"),
]

# (username, display name, store)
STORE_MANAGERS = [
    ("manager_hz001", "陈刚", "HZ001"),
    ("manager_nb001", "徐亮", "NB001"),
    ("manager_sh001", "朱敏", "SH001"),
    ("manager_gz001", "梁志强", "GZ001"),
    ("manager_bj001", "韩东", "BJ001"),
    ("manager_cd001", "唐佳", "CD001"),
    ("manager_wh001", "邓超", "WH001"),
    ("manager_xa001", "许峰", "XA001"),
    ("manager_sy001", "沈洁", "SY001"),
]

# (username, display name, region)
REGIONAL_DIRECTORS = [
    ("director_east", "王立新", "EAST"),
    ("director_south", "蔡文", "SOUTH"),
]

QUALITY_LEADS = [(MARKER_USERNAME, "周敏")]
EXECUTIVES = [("executive", "钱建国")]
API_CLIENTS = [
    (
        "dms",
        "DMS 经销商管理系统",
        [ApiScope.ISSUES_WRITE.value, ApiScope.METRICS_WRITE.value, ApiScope.ORG_WRITE.value],
    )
]


@dataclass
class Login:
    username: str
    role: str
    scope: str
    password: str


@dataclass
class DemoOrg:
    """What ``load_org()`` wrote, keyed by business code / username."""

    regions: dict[str, Region] = field(default_factory=dict)
    stores: dict[str, Store] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def users_with_role(self, role: str) -> list[User]:
        return [u for u in self.users.values() if u.role == role]


def _email(username: str) -> str:
    return f"{username}@example.com"


@transaction.atomic
def load_org(*, password: str = DEMO_PASSWORD) -> DemoOrg:
    """Create or update the demo organisation; safe to run again (no duplicates).

    Running it again also resets the demo logins' passwords to ``password``.
    """
    demo = DemoOrg()
    for code, name in REGIONS:
        demo.regions[code], _created = upsert_region(code=code, name=name)

    for code, name, city, region, tier, throughput, batch, go_live in STORES:
        demo.stores[code], _created = upsert_store(
            code=code,
            name=name,
            city=city,
            region=demo.regions[region],
            tier=tier,
            monthly_throughput=throughput,
            rollout_batch=batch,
            go_live_date=dt.date.fromisoformat(go_live),
            active=True,
        )

    def user(username, display_name, role, **scope):
        obj, _created = upsert_user(
            username=username,
            display_name=display_name,
            email=_email(username) if role != Role.API_CLIENT else "",
            role=role,
            password=password if role != Role.API_CLIENT else None,
            **scope,
        )
        demo.users[username] = obj
        return obj

    for code, name, head_username, head_name in DEPARTMENTS:
        # Keep an existing head while (re)writing the department, then (re)appoint.
        current_head = User.objects.filter(username=head_username).first()
        upsert_department(code=code, name=name, head=current_head)
        head = user(head_username, head_name, Role.DEPARTMENT_HEAD, department=code)
        demo.departments[code], _created = upsert_department(code=code, name=name, head=head)
    for username, display_name, department in DEPARTMENT_MEMBERS:
        user(username, display_name, Role.DEPARTMENT_MEMBER, department=department)

    for username, display_name in QUALITY_LEADS:
        user(username, display_name, Role.QUALITY_LEAD)
    for username, display_name in EXECUTIVES:
        user(username, display_name, Role.EXECUTIVE)
    for username, display_name, region in REGIONAL_DIRECTORS:
        user(username, display_name, Role.REGIONAL_DIRECTOR, region=region)
    for username, display_name, region in OPS_SPECIALISTS:
        codes = [code for code, *rest in STORES if rest[2] == region]
        user(username, display_name, Role.OPS_SPECIALIST, stores=codes)
    for username, display_name, store in STORE_MANAGERS:
        user(username, display_name, Role.STORE_MANAGER, store=store)
    for username, display_name, scopes in API_CLIENTS:
        obj, _created = upsert_user(
            username=username, display_name=display_name, role=Role.API_CLIENT, api_scopes=scopes
        )
        demo.users[username] = obj
    return demo


def is_loaded() -> bool:
    """Whether the demo organisation is already in the database (its quality lead exists)."""
    return User.objects.filter(username=MARKER_USERNAME).exists()


def _scope(user: User) -> str:
    if user.role == Role.STORE_MANAGER and user.store_id:
        return f"{user.store.code} {user.store.name}"
    if user.role == Role.OPS_SPECIALIST:
        codes = sorted(s.code for s in user.stores.all())
        return _("%(n)d 家门店：%(codes)s") % {"n": len(codes), "codes": ", ".join(codes)}
    if user.role == Role.REGIONAL_DIRECTOR and user.region_id:
        return user.region.name
    if user.role in (Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER) and user.department_id:
        return user.department.name
    if user.role == Role.API_CLIENT:
        return _("接口权限：%(s)s") % {"s": ", ".join(user.api_scopes)}
    return _("全部")


ROLE_ORDER = [
    Role.QUALITY_LEAD,
    Role.EXECUTIVE,
    Role.REGIONAL_DIRECTOR,
    Role.OPS_SPECIALIST,
    Role.STORE_MANAGER,
    Role.DEPARTMENT_HEAD,
    Role.DEPARTMENT_MEMBER,
    Role.API_CLIENT,
]


def logins(*, password: str = DEMO_PASSWORD) -> list[Login]:
    """The demo logins as they are in the database now, ordered by role then username."""
    usernames = (
        [u for u, *_rest in QUALITY_LEADS + EXECUTIVES + REGIONAL_DIRECTORS]
        + [u for u, *_rest in OPS_SPECIALISTS + STORE_MANAGERS]
        + [d[2] for d in DEPARTMENTS]
        + [u for u, *_rest in DEPARTMENT_MEMBERS + API_CLIENTS]
    )
    users = (
        User.objects.filter(username__in=usernames)
        .select_related("store", "region", "department")
        .prefetch_related("stores")
    )
    users = sorted(users, key=lambda u: (ROLE_ORDER.index(u.role), u.username))
    return [
        Login(
            username=u.username,
            role=str(u.get_role_display()),
            scope=_scope(u),
            password=(
                password
                if u.role != Role.API_CLIENT
                else _("（令牌：manage.py issue_api_token %(u)s）") % {"u": u.username}
            ),
        )
        for u in users
    ]


# --- the demo step (``manage.py load_demo``, see closedloop/core/registry.py) ------------

DEMO_ORDER = 0


def load_demo(options) -> str:
    org = load_org()
    return _("演示数据已加载：%(r)d 个区域、%(s)d 家门店、%(d)d 个部门、%(u)d 个用户。") % {
        "r": len(org.regions),
        "s": len(org.stores),
        "d": len(org.departments),
        "u": len(org.users),
    }
