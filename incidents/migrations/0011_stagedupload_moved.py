# StagedUpload moved to the files app, which keeps its table: forget it here (state only).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0010_stepreminder_table"),
        ("files", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StagedUpload")],
            database_operations=[],
        ),
    ]
