"""Incident.seconds_to_resolve, so the time-to-resolve statistics compare one integer instead of
adding a duration to every row's date; filled for finished incidents, then the covering index
the statistics read."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from incidents.backfills import backfill_seconds_to_resolve

    backfill_seconds_to_resolve(apps.get_model("incidents", "Incident"))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_cluster_alerts"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalincident",
            name="seconds_to_resolve",
            field=models.IntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="incident",
            name="seconds_to_resolve",
            field=models.IntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                fields=["school", "created_at", "status", "platform", "seconds_to_resolve"],
                name="incident_school_figures",
            ),
        ),
    ]
