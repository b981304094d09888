"""``Heartbeat`` and ``NumberSequence`` now belong to ``closedloop.core`` (its
``0001_initial`` took them over, same tables): drop them from org's state only — the
tables and their rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_beat_schedules"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Heartbeat"),
                migrations.DeleteModel(name="NumberSequence"),
            ],
            database_operations=[],
        ),
    ]
