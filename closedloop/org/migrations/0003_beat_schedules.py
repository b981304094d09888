"""Formerly: the beat schedules of every app's jobs as django-celery-beat rows.

Now a no-op, kept so that databases that applied it and fresh ones share one migration
history. The organisation app no longer knows other apps' jobs: each app registers its
jobs with their schedule (``closedloop.core.jobs.register(..., every=… / crontab=…)`` in
``<app>/jobs.py``) and ``closedloop.core.jobs.sync_schedules`` creates the missing beat
rows after every ``migrate`` (the ``post_migrate`` receiver in ``closedloop/core/apps.py``)
— by name, never touching a row operations edited or disabled in the admin, exactly as
this migration did. Rows it created on existing databases stay and are found by name.
Unapplying it leaves the rows (they belong to the job registry now)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_numbersequence"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
