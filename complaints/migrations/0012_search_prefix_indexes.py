"""SQLite: the complaint search's FTS5 table rebuilt with prefix indexes, as incident search's
(incidents 0027). Nothing changes on PostgreSQL."""

import dataclasses

from django.db import migrations

from schoolsocial.lib import fulltext

BEFORE = fulltext.TextIndex(
    table="complaints_complaint",
    columns=(("subject", "A"), ("details", "B"), ("desired_outcome", "C"), ("outcome_summary", "C")),
    notes_table="complaints_complaintentry",
    notes_key="complaint_id",
)
AFTER = dataclasses.replace(BEFORE, prefixes=(2, 3, 4, 5, 6))


def forwards(apps, schema_editor):
    fulltext.rebuild_sqlite(schema_editor, BEFORE, AFTER)


def backwards(apps, schema_editor):
    fulltext.rebuild_sqlite(schema_editor, AFTER, BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0011_search_index_led_by_school"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
