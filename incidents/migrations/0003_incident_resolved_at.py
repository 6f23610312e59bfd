"""Incident.resolved_at, filled for incidents already finished from their audit history."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from incidents.backfills import backfill_resolved_at

    backfill_resolved_at(apps.get_model("incidents", "Incident"), apps.get_model("incidents", "HistoricalIncident"))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_common_platforms"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalincident",
            name="resolved_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="incident",
            name="resolved_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
