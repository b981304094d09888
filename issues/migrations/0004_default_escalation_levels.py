from django.db import migrations

DEFAULT_LEVELS = [(50, "owner"), (75, "owner"), (100, "head_and_ops"), (200, "quality_lead")]


def seed(apps, schema_editor):
    EscalationLevel = apps.get_model("issues", "EscalationLevel")
    for percent, audience in DEFAULT_LEVELS:
        EscalationLevel.objects.get_or_create(percent=percent, defaults={"audience": audience})


class Migration(migrations.Migration):
    dependencies = [("issues", "0003_escalationlevel_slaalert_slamilestone")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
