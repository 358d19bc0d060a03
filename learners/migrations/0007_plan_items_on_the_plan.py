"""Keep a daily plan's questions on the plan as two lists instead of a PlanItem row per question.

Existing plans keep their items: they are copied into the lists, in plan order, before the
PlanItem table goes. Going back recreates the rows from the lists.
"""

from typing import Any

from django.db import migrations, models

BATCH = 2000


def items_to_lists(apps: Any, schema_editor: Any) -> None:
    # A batch of plans at a time, so that a year of plans never sits in memory at once.
    DailyPlan = apps.get_model("learners", "DailyPlan")
    PlanItem = apps.get_model("learners", "PlanItem")
    ids = list(DailyPlan.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        plans = DailyPlan.objects.in_bulk(ids[start : start + BATCH])
        for plan_id, question_id, kind in (
            PlanItem.objects.filter(plan_id__in=plans)
            .values_list("plan_id", "question_id", "kind")
            .order_by("plan_id", "position")
        ):
            plan = plans[plan_id]
            (plan.review_ids if kind == "review" else plan.new_ids).append(question_id)
        DailyPlan.objects.bulk_update(plans.values(), ["review_ids", "new_ids"])


def lists_to_items(apps: Any, schema_editor: Any) -> None:
    DailyPlan = apps.get_model("learners", "DailyPlan")
    PlanItem = apps.get_model("learners", "PlanItem")
    for plan in DailyPlan.objects.only("pk", "review_ids", "new_ids").iterator(BATCH):
        kinds = [(pk, "review") for pk in plan.review_ids] + [(pk, "new") for pk in plan.new_ids]
        PlanItem.objects.bulk_create(
            PlanItem(plan_id=plan.pk, position=position, question_id=question_id, kind=kind)
            for position, (question_id, kind) in enumerate(kinds)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0006_topic_ability_plural"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyplan",
            name="new_ids",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="dailyplan",
            name="review_ids",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(items_to_lists, lists_to_items),
        migrations.DeleteModel(
            name="PlanItem",
        ),
    ]
