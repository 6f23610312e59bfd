"""Full-text search over incidents (schoolsocial/lib/fulltext.py): a generated tsvector column with
GIN and trigram indexes on PostgreSQL, an FTS5 table kept by triggers on SQLite. Nothing here is
declared on the model, so the migration state does not change."""

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
    fulltext.install(schema_editor, INDEX)


def backwards(apps, schema_editor):
    fulltext.uninstall(schema_editor, INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0014_outcomes_per_kind"),
    ]

    # pg_trgm is created by install() on PostgreSQL only (Django's TrigramExtension cannot be
    # reversed on SQLite) and left in place when reversed: other indexes may use it.
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
