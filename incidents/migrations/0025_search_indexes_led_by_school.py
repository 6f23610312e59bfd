"""PostgreSQL: the text and trigram indexes of incident search led by school_id (btree_gin), so a
school's search reads the index, not every row of the school, in a database of many schools
(schoolsocial/lib/fulltext.py lead_postgresql_indexes). Nothing changes on SQLite."""

from django.db import migrations

from schoolsocial.lib import fulltext

INDEX = fulltext.TextIndex(
    table="incidents_incident",
    columns=(("reference", "A"), ("account_name", "A"), ("content", "B"), ("targeted", "B")),
    notes_table="incidents_timelineentry",
    notes_key="incident_id",
    trigram=("reference", "account_name"),
)


def forwards(apps, schema_editor):
    fulltext.lead_postgresql_indexes(schema_editor, INDEX, "school_id")


def backwards(apps, schema_editor):
    fulltext.lead_postgresql_indexes(schema_editor, INDEX, None)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0024_open_flagged_count_index"),
    ]

    # btree_gin is created on PostgreSQL only and left in place when reversed.
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
