import django.db.models.deletion
from django.db import migrations, models


def point_at_newest_revisions(apps, schema_editor):
    """Fill current_version for questions saved before the field existed."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Question = apps.get_model("quizbank", "Question")
    Version = apps.get_model("reversion", "Version")
    content_type = ContentType.objects.filter(app_label="quizbank", model="question").first()
    if content_type is None:
        return
    newest = (
        Version.objects.filter(content_type=content_type)
        .values("object_id")
        .annotate(newest=models.Max("pk"))
        .order_by()
    )
    for row in newest:
        Question.objects.filter(pk=int(row["object_id"])).update(current_version_id=row["newest"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("quizbank", "0004_add_problem_report"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="current_version",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="reversion.version",
            ),
        ),
        migrations.RunPython(point_at_newest_revisions, migrations.RunPython.noop),
    ]
