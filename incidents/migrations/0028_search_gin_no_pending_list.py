"""PostgreSQL: the incident search's GIN indexes written directly rather than through fast update's
pending list, which every search reads in full until a vacuum merges it (schoolsocial/lib/fulltext.py
GIN_OPTIONS). Nothing changes on SQLite."""

from django.db import migrations

from schoolsocial.lib import fulltext

INDEX = fulltext.TextIndex(
    table="incidents_incident",
    columns=(("reference", "A"), ("account_name", "A"), ("content", "B"), ("targeted", "B")),
    notes_table="incidents_timelineentry",
    notes_key="incident_id",
    trigram=("reference", "account_name"),
    prefixes=(2, 3, 4, 5, 6),
)


def forwards(apps, schema_editor):
    fulltext.set_gin_fast_update(schema_editor, INDEX, enabled=False)


def backwards(apps, schema_editor):
    fulltext.set_gin_fast_update(schema_editor, INDEX, enabled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0027_search_prefix_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
