"""Each nature row carries its incident's school and report moment, so the list filtered by a
nature reads that nature's cases newest first off one index (incident_nature_recent) and stops at
a page, however rare the nature. Filled from the incidents in one statement, then required."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE incidents_incidentnature SET
    school_id = (SELECT i.school_id FROM incidents_incident i WHERE i.id = incidents_incidentnature.incident_id),
    reported_at = (SELECT i.created_at FROM incidents_incident i WHERE i.id = incidents_incidentnature.incident_id)
"""


def fill(apps, schema_editor):
    schema_editor.execute(FILL)
    if schema_editor.connection.vendor == "postgresql":
        # The new foreign key's checks are deferred to the commit; run them now, as PostgreSQL will
        # not alter a table with checks pending (the NOT NULL below).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0015_chair_of_governors"),
        ("incidents", "0028_search_gin_no_pending_list"),
    ]

    operations = [
        migrations.AddField(
            model_name="incidentnature",
            name="school",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.school",
            ),
        ),
        migrations.AddField(
            model_name="incidentnature",
            name="reported_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="incidentnature",
            name="school",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.school",
            ),
        ),
        migrations.AlterField(
            model_name="incidentnature",
            name="reported_at",
            field=models.DateTimeField(editable=False),
        ),
        migrations.AddIndex(
            model_name="incidentnature",
            index=models.Index(fields=["school", "nature", "-reported_at", "-incident"], name="incident_nature_recent"),
        ),
    ]
