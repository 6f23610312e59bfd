"""PostgreSQL: the complaint search's GIN index written directly rather than through fast update's
pending list, as incident search's (incidents 0028). Nothing changes on SQLite."""

from django.db import migrations

from schoolsocial.lib import fulltext

INDEX = fulltext.TextIndex(
    table="complaints_complaint",
    columns=(("subject", "A"), ("details", "B"), ("desired_outcome", "C"), ("outcome_summary", "C")),
    notes_table="complaints_complaintentry",
    notes_key="complaint_id",
    prefixes=(2, 3, 4, 5, 6),
)


def forwards(apps, schema_editor):
    fulltext.set_gin_fast_update(schema_editor, INDEX, enabled=False)


def backwards(apps, schema_editor):
    fulltext.set_gin_fast_update(schema_editor, INDEX, enabled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0012_search_prefix_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
