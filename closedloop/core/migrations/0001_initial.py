"""``Heartbeat`` and ``NumberSequence`` move here from ``org`` (issue 7: org keeps the
organisation and people only). State only: the tables ``org_heartbeat`` and
``org_numbersequence`` were created by ``org.0001``/``org.0002`` and keep their names and
rows; ``org.0004`` drops the two models from org's state."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("org", "0002_numbersequence"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Heartbeat",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=64, unique=True)),
                        ("seen_at", models.DateTimeField()),
                        ("count", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "心跳",
                        "verbose_name_plural": "心跳",
                        "db_table": "org_heartbeat",
                    },
                ),
                migrations.CreateModel(
                    name="NumberSequence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=16)),
                        ("year", models.PositiveIntegerField()),
                        ("last_value", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "org_numbersequence",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("name", "year"), name="number_seq_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
