"""Install the periodic jobs of adaptive practice in django-celery-beat's tables.

Administrators see and change them in the admin ("Periodic tasks"); this migration only creates
them, so a later edit is never overwritten by a deploy.
"""

from typing import Any

from django.db import migrations

# name -> (task, schedule kind, schedule fields, description)
SCHEDULES: dict[str, tuple[str, str, dict[str, Any], str]] = {
    "Plan the new day": (
        "learners.tasks.plan_new_day_task",
        "crontab",
        {"minute": "5", "hour": "*"},
        "Hourly: builds the daily plan of every student whose local day has just begun.",
    ),
    "Sweep missing plans": (
        "learners.tasks.sweep_missing_plans_task",
        "crontab",
        {"minute": "35", "hour": "*/6"},
        "Builds today's plan for every active student a failed run missed.",
    ),
    "Recompute item statistics": (
        "quizbank.tasks.recompute_item_statistics_task",
        "interval",
        {"every": 10, "period": "minutes"},
        "Debounced: recomputes the statistics of revisions with new first attempts only.",
    ),
    "Send practice reminders": (
        "learners.tasks.send_reminders_task",
        "crontab",
        {"minute": "15", "hour": "*"},
        "Hourly: e-mails students whose plan is waiting in the evening of their day.",
    ),
}


def install(apps: Any, schema_editor: Any) -> None:
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    for name, (task, kind, fields, description) in SCHEDULES.items():
        if kind == "crontab":
            schedule, _ = crontab.objects.get_or_create(
                day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC", **fields
            )
            link = {"crontab": schedule}
        else:
            schedule, _ = interval.objects.get_or_create(**fields)
            link = {"interval": schedule}
        periodic_task.objects.get_or_create(
            name=name, defaults={"task": task, "description": description, **link}
        )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=list(SCHEDULES)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0004_adaptive_practice"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
