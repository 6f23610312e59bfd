"""Full-text search over complaints (schoolsocial/lib/fulltext.py): a generated tsvector column with
a GIN index on PostgreSQL, an FTS5 table kept by triggers on SQLite. Nothing here is declared on
the model, so the migration state does not change."""

from django.db import migrations

from schoolsocial.lib import fulltext

INDEX = fulltext.TextIndex(
    table="complaints_complaint",
    columns=(("subject", "A"), ("details", "B"), ("desired_outcome", "C"), ("outcome_summary", "C")),
    notes_table="complaints_complaintentry",
    notes_key="complaint_id",
)


def forwards(apps, schema_editor):
    fulltext.install(schema_editor, INDEX)


def backwards(apps, schema_editor):
    fulltext.uninstall(schema_editor, INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0006_attachment_has_scripts"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
