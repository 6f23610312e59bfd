"""An incident concerns several pupils, each in a role: the single "poster pupil" link becomes an
IncidentPupil row ("the pupil who posted" when a pupil posted, "the poster's child" otherwise),
with a history row saying where it came from."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def move_the_pupil_link(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    IncidentPupil = apps.get_model("incidents", "IncidentPupil")
    HistoricalIncidentPupil = apps.get_model("incidents", "HistoricalIncidentPupil")
    now = django.utils.timezone.now()
    rows = Incident.objects.filter(poster_pupil__isnull=False).values_list(
        "pk", "poster_pupil_id", "poster_kind", "triaged_at", "created_at"
    )
    for incident_id, pupil_id, poster_kind, triaged_at, created_at in rows.iterator(chunk_size=2000):
        link = IncidentPupil.objects.create(
            incident_id=incident_id,
            pupil_id=pupil_id,
            role="poster" if poster_kind == "pupil" else "poster_child",
            added_at=triaged_at or created_at,
        )
        HistoricalIncidentPupil.objects.create(
            id=link.pk,
            incident_id=incident_id,
            pupil_id=pupil_id,
            role=link.role,
            added_at=link.added_at,
            history_date=now,
            history_type="+",
            history_change_reason="Moved from the incident's single pupil link",
        )


def put_the_pupil_link_back(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    IncidentPupil = apps.get_model("incidents", "IncidentPupil")
    links = IncidentPupil.objects.filter(role__in=["poster", "poster_child"]).order_by("incident_id", "-role", "pk")
    done = set()
    for incident_id, pupil_id in links.values_list("incident_id", "pupil_id"):
        if incident_id not in done:
            Incident.objects.filter(pk=incident_id).update(poster_pupil_id=pupil_id)
            done.add(incident_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_year_end_rollover"),
        ("incidents", "0017_posh_and_legal_forms"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalIncidentPupil",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("poster", "The pupil who posted"),
                            ("poster_child", "The poster's child"),
                            ("in_post", "A child in the post"),
                            ("targeted", "The child targeted"),
                        ],
                        max_length=20,
                    ),
                ),
                ("added_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "incident",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="incidents.incident",
                    ),
                ),
                (
                    "pupil",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.pupil",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical pupil linked to an incident",
                "verbose_name_plural": "historical pupils linked to incidents",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="IncidentPupil",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("poster", "The pupil who posted"),
                            ("poster_child", "The poster's child"),
                            ("in_post", "A child in the post"),
                            ("targeted", "The child targeted"),
                        ],
                        max_length=20,
                    ),
                ),
                ("added_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "incident",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="pupil_links", to="incidents.incident"
                    ),
                ),
                (
                    "pupil",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="incident_links", to="accounts.pupil"
                    ),
                ),
            ],
            options={
                "verbose_name": "pupil linked to an incident",
                "verbose_name_plural": "pupils linked to incidents",
                "ordering": ["incident", "role", "pk"],
                "indexes": [models.Index(fields=["pupil", "incident"], name="incident_pupil_by_pupil")],
                "constraints": [models.UniqueConstraint(fields=("incident", "pupil"), name="unique_incident_pupil")],
            },
        ),
        migrations.RunPython(move_the_pupil_link, put_the_pupil_link_back),
        migrations.RemoveField(
            model_name="historicalincident",
            name="poster_pupil",
        ),
        migrations.RemoveField(
            model_name="incident",
            name="poster_pupil",
        ),
    ]
