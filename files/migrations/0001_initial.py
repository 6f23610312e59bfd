# StagedUpload moved here from incidents (complaints stage files too): the table is taken over as
# it is (state only), then renamed in 0002.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import files.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0007_school_is_demo"),
        ("incidents", "0010_stepreminder_table"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StagedUpload",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("file", models.FileField(max_length=200, upload_to=files.models.staged_path)),
                        ("original_name", models.CharField(max_length=255)),
                        ("content_type", models.CharField(max_length=50)),
                        ("size", models.PositiveIntegerField()),
                        ("sha256", models.CharField(max_length=64)),
                        ("width", models.PositiveIntegerField(blank=True, null=True)),
                        ("height", models.PositiveIntegerField(blank=True, null=True)),
                        ("pages", models.PositiveIntegerField(blank=True, null=True)),
                        ("form_token", models.UUIDField(db_index=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        (
                            "school",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.school"
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"ordering": ["created_at", "pk"], "db_table": "incidents_stagedupload"},
                ),
            ],
            database_operations=[],
        ),
    ]
