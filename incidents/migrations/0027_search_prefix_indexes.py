"""SQLite: the incident search's FTS5 table rebuilt with prefix indexes (schoolsocial/lib/fulltext.py
TextIndex.prefixes), so a word searched as a prefix reads one list of rows, newest first, and stops
at a page, rather than merging every term that starts with it. Nothing changes on PostgreSQL."""

import dataclasses

from django.db import migrations

from schoolsocial.lib import fulltext

BEFORE = fulltext.TextIndex(
    table="incidents_incident",
    columns=(("reference", "A"), ("account_name", "A"), ("content", "B"), ("targeted", "B")),
    notes_table="incidents_timelineentry",
    notes_key="incident_id",
    trigram=("reference", "account_name"),
)
AFTER = dataclasses.replace(BEFORE, prefixes=(2, 3, 4, 5, 6))


def forwards(apps, schema_editor):
    fulltext.rebuild_sqlite(schema_editor, BEFORE, AFTER)


def backwards(apps, schema_editor):
    fulltext.rebuild_sqlite(schema_editor, AFTER, BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0026_open_flagged_count_covers_id"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
