"""Reference links are http(s) addresses only; links stored before the rule are cleared."""

import django.core.validators
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _is_web_url(url: str) -> bool:
    # As quizbank.content.is_web_url on the day of this migration.
    scheme, colon, rest = url.strip().partition(":")
    return bool(colon) and scheme.lower() in {"https", "http"} and rest.startswith("//")


def clear_links_that_are_not_web_addresses(
    apps: StateApps, schema_editor: BaseDatabaseSchemaEditor
) -> None:
    """Drop a javascript:, data: or other non-web link, keeping the citation it belongs to."""
    for model in ("Reference", "SummaryReference"):
        rows = apps.get_model("quizbank", model).objects.exclude(url="")
        bad = [pk for pk, url in rows.values_list("pk", "url") if not _is_web_url(url)]
        rows.filter(pk__in=bad).update(url="")


class Migration(migrations.Migration):
    dependencies = [
        ("quizbank", "0006_item_statistics"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reference",
            name="url",
            field=models.URLField(
                blank=True,
                max_length=500,
                validators=[django.core.validators.URLValidator(schemes=["https", "http"])],
            ),
        ),
        migrations.AlterField(
            model_name="summaryreference",
            name="url",
            field=models.URLField(
                blank=True,
                max_length=500,
                validators=[django.core.validators.URLValidator(schemes=["https", "http"])],
            ),
        ),
        migrations.RunPython(clear_links_that_are_not_web_addresses, migrations.RunPython.noop),
    ]
