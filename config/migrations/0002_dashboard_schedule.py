"""Install the periodic job that refreshes the admin dashboard's costly figures.

Like the adaptive-practice jobs (learners 0005), it is only created here: administrators change
its interval under "Periodic tasks", and a deploy never overwrites that.
"""

from typing import Any

from django.db import migrations

NAME = "Refresh the admin dashboard"


def install(apps: Any, schema_editor: Any) -> None:
    interval, _ = apps.get_model("django_celery_beat", "IntervalSchedule").objects.get_or_create(
        every=10, period="minutes"
    )
    apps.get_model("django_celery_beat", "PeriodicTask").objects.get_or_create(
        name=NAME,
        defaults={
            "task": "config.tasks.refresh_dashboard_task",
            "interval": interval,
            "description": "Recomputes the activity and learning figures and the key checks "
            "that the admin dashboard shows.",
        },
    )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("config", "0001_dashboard_snapshot"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
