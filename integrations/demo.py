"""Demo store metrics (``manage.py load_demo``): 60 days of readings per active store,
pushed as the ``dms`` client would, so the store pages show their charts — and the
Hangzhou store's waiting time crosses 35 minutes for the last three days, the source's
case, which opens its alert issue."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.notifications.services import recording_history
from closedloop.org.choices import Role
from closedloop.org.models import Store, User

from .models import MetricReading
from .services import metrics

#: metric → (low, high) of a store's usual level, and the day-to-day spread
LEVELS = {
    "waiting_minutes": ((22, 32), 2.5),
    "nps": ((45, 70), 3.0),
    "satisfaction": ((72, 88), 2.0),
    "complaints": ((0, 3), 1.0),
}
HANGZHOU = "HZ001"


def load_metrics(*, days: int = 60, seed: int = 2026, today: dt.date | None = None) -> int:
    """Push the demo readings; returns how many (0 when readings already exist)."""
    if MetricReading.objects.exists():
        return 0
    client = User.objects.filter(role=Role.API_CLIENT, is_active=True, username="dms").first()
    client = client or User.objects.filter(role=Role.QUALITY_LEAD, is_active=True).first()
    if client is None:
        return 0
    today = today or timezone.localdate()
    rng = random.Random(seed)
    rows = []
    for store in Store.objects.filter(active=True).order_by("code"):
        for code, ((low, high), spread) in LEVELS.items():
            level = rng.uniform(low, high)
            for back in range(days, 0, -1):
                value = max(level + rng.gauss(0, spread), 0)
                if store.code == HANGZHOU and code == "waiting_minutes" and back <= 3:
                    value = 36 + back * 2  # 42, 40, 38: three days above 35
                rows.append(
                    {
                        "store": store.code,
                        "metric": code,
                        "date": (today - dt.timedelta(days=back)).isoformat(),
                        "value": round(value if code != "complaints" else round(value), 1),
                    }
                )
    with recording_history():
        for start in range(0, len(rows), metrics.MAX_BATCH):
            metrics.record_readings(actor=client, rows=rows[start : start + metrics.MAX_BATCH])
    return len(rows)


# --- the demo step (``manage.py load_demo``, see closedloop/core/registry.py) ------------

DEMO_ORDER = 25


def load_demo(options) -> str:
    readings = load_metrics() if options.get("issues", 320) > 0 else 0
    return _("演示门店指标：新增 %(n)d 条（已有数据时不再生成）。") % {"n": readings}
