"""Widen the due-card index to cover what the nightly plans read of a card.

The new index is built before the old one goes, so due-card queries always have one.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0007_plan_items_on_the_plan"),
        ("quizbank", "0006_item_statistics"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reviewcard",
            index=models.Index(
                fields=["learner", "due", "question", "stability", "last_review"],
                name="card_learner_due_covering",
            ),
        ),
        migrations.RemoveIndex(
            model_name="reviewcard",
            name="card_learner_due",
        ),
    ]
