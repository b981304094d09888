"""What the integration ships with: the sources' store metrics, a row for every API token
made before tokens had scopes (so the quality lead can see and revoke it), and the beat
schedules of the integration's jobs (looked up by name; an edited row is kept)."""

from decimal import Decimal

from django.db import migrations

#: code → (name, unit, direction, threshold, consecutive days, issue category, order).
#: The waiting-time alert is the source's: above 35 minutes three days in a row.
METRICS = {
    "waiting_minutes": ("客户平均等待时间", "分钟", "lower", Decimal("35"), 3, "process", 10),
    "nps": ("门店NPS", "分", "higher", None, 1, "process", 20),
    "satisfaction": ("客户满意度", "分", "higher", None, 1, "process", 30),
    "complaints": ("客户投诉数", "起", "lower", None, 1, "process", 40),
}

ALL_SCOPES = [
    "issues:read",
    "issues:write",
    "metrics:write",
    "org:write",
    "rectifications:read",
    "rectifications:write",
    "reports:read",
    "inspections:read",
    "webhooks:write",
]


def seed_metrics(apps, schema_editor):
    MetricDefinition = apps.get_model("integrations", "MetricDefinition")
    for code, (name, unit, direction, threshold, days, category, order) in METRICS.items():
        MetricDefinition.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "threshold": threshold,
                "consecutive_days": days,
                "issue_category": category,
                "order": order,
            },
        )


def adopt_tokens(apps, schema_editor):
    AuthToken = apps.get_model("knox", "AuthToken")
    ApiToken = apps.get_model("integrations", "ApiToken")
    for token in AuthToken.objects.select_related("user").filter(grant__isnull=True):
        user = token.user
        client = user.role == "api_client" and not user.is_superuser
        ApiToken.objects.create(
            token=token,
            user=user,
            prefix=token.token_key,
            scopes=list(user.api_scopes) if client else list(ALL_SCOPES),
            created_at=token.created,
            expires_at=token.expiry,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_initial"),
        ("knox", "0009_extend_authtoken_field"),
        ("org", "0003_beat_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(seed_metrics, migrations.RunPython.noop),
        migrations.RunPython(adopt_tokens, migrations.RunPython.noop),
    ]
