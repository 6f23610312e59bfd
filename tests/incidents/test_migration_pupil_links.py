"""The migration to several pupils per incident keeps the one pupil each incident had, in the part
it meant: the pupil who posted when a pupil posted, the poster's child otherwise."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("incidents", "0017_posh_and_legal_forms")]
AFTER = [("incidents", "0018_incident_pupils")]


@pytest.mark.django_db(transaction=True)
def test_the_single_pupil_link_becomes_a_linked_pupil_with_its_part(cast):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Incident = old.get_model("incidents", "Incident")
    platform = old.get_model("incidents", "Platform").objects.filter(name="Facebook").get()
    now = timezone.now()

    def old_incident(number: int, poster_kind: str, pupil_id):
        return Incident.objects.create(
            school_id=cast.school.pk,
            reference=f"NBP-M-{number}",
            year=now.year,
            number=number,
            reporter_id=cast.staff.pk,
            reporter_role="staff",
            platform_id=platform.pk,
            seen_at=now,
            content="A post.",
            poster_kind=poster_kind,
            poster_pupil_id=pupil_id,
            created_at=now,
        ).pk

    by_pupil = old_incident(1, "pupil", cast.child.pk)
    by_parent = old_incident(2, "parent", cast.other_child.pk)
    nobody = old_incident(3, "unknown", None)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    links = new.get_model("incidents", "IncidentPupil").objects
    assert set(links.values_list("incident_id", "pupil_id", "role")) == {
        (by_pupil, cast.child.pk, "poster"),
        (by_parent, cast.other_child.pk, "poster_child"),
    }
    assert not links.filter(incident_id=nobody).exists()
    history = new.get_model("incidents", "HistoricalIncidentPupil").objects
    assert history.filter(history_change_reason="Moved from the incident's single pupil link").count() == 2

    # And back: the link returns to the incident's own column.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    pupils = dict(old.get_model("incidents", "Incident").objects.values_list("pk", "poster_pupil_id"))
    assert pupils == {by_pupil: cast.child.pk, by_parent: cast.other_child.pk, nobody: None}
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
