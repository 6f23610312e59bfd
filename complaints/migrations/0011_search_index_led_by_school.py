"""PostgreSQL: the text index of complaint search led by school_id (btree_gin), as incident
search's (incidents 0025). Nothing changes on SQLite."""

from django.db import migrations

from schoolsocial.lib import fulltext

INDEX = fulltext.TextIndex(
    table="complaints_complaint",
    columns=(("subject", "A"), ("details", "B"), ("desired_outcome", "C"), ("outcome_summary", "C")),
    notes_table="complaints_complaintentry",
    notes_key="complaint_id",
)


def forwards(apps, schema_editor):
    fulltext.lead_postgresql_indexes(schema_editor, INDEX, "school_id")


def backwards(apps, schema_editor):
    fulltext.lead_postgresql_indexes(schema_editor, INDEX, None)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0010_panel_hearing"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
