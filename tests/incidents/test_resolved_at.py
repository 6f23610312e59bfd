"""Incident.resolved_at: set when an incident is finished, kept through closing, cleared on reopening,
and filled for older incidents from their audit history by the migration's backfill."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from incidents import actions
from incidents.backfills import backfill_resolved_at
from incidents.models import Incident, Status, StepKind

from .test_actions import triage

pytestmark = pytest.mark.django_db


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _status(incident, cast, status, when):
    with _at(when):
        return actions.change_status(incident=incident, by=cast.headteacher, status=status, reason="Recorded.")


def _fresh(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def test_an_open_incident_has_no_resolution_time(cast, file_report):
    incident = file_report()
    assert incident.resolved_at is None
    triage(incident, cast)
    actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    assert _fresh(incident).resolved_at is None


def test_resolving_sets_it_and_closing_keeps_the_first_moment(cast, file_report):
    incident = file_report()
    triage(incident, cast)
    resolved = timezone.now() + timedelta(days=3)
    _status(incident, cast, Status.RESOLVED, resolved)
    assert _fresh(incident).resolved_at == resolved
    _status(incident, cast, Status.CLOSED, resolved + timedelta(days=10))
    stored = _fresh(incident)
    assert stored.status == Status.CLOSED and stored.resolved_at == resolved


def test_no_action_sets_it_and_closing_keeps_it(cast, file_report):
    incident = file_report()
    moment = timezone.now() + timedelta(hours=2)
    _status(incident, cast, Status.NO_ACTION, moment)
    assert _fresh(incident).resolved_at == moment
    _status(incident, cast, Status.CLOSED, moment + timedelta(days=1))
    assert _fresh(incident).resolved_at == moment


def test_reopening_clears_it_and_resolving_again_starts_afresh(cast, file_report):
    incident = file_report()
    triage(incident, cast)
    first = timezone.now() + timedelta(days=1)
    _status(incident, cast, Status.RESOLVED, first)
    _status(incident, cast, Status.IN_PROGRESS, first + timedelta(days=2))
    assert _fresh(incident).resolved_at is None
    second = first + timedelta(days=5)
    _status(incident, cast, Status.RESOLVED, second)
    assert _fresh(incident).resolved_at == second


def test_triaging_again_after_no_action_reopens_it(cast, file_report):
    incident = file_report()
    _status(incident, cast, Status.NO_ACTION, timezone.now())
    triage(_fresh(incident), cast)
    stored = _fresh(incident)
    assert stored.status == Status.TRIAGED and stored.resolved_at is None


def test_the_audit_history_records_the_moment(cast, file_report):
    incident = file_report()
    triage(incident, cast)
    moment = timezone.now() + timedelta(days=4)
    _status(incident, cast, Status.RESOLVED, moment)
    assert incident.history.latest().resolved_at == moment


# --- The backfill the migration runs -----------------------------------------------------------


def _history(incident, *spells):
    """Replace the incident's audit history with rows in `spells`: (status, when) pairs."""
    model = Incident.history.model
    model.objects.filter(id=incident.pk).delete()
    for status, when in spells:
        row = {f.attname: getattr(incident, f.attname) for f in Incident._meta.concrete_fields}
        row.update(status=status, history_date=when, history_type="~", resolved_at=None)
        model.objects.create(**row)


def _unset(*incidents):
    Incident.objects.filter(pk__in=[i.pk for i in incidents]).update(resolved_at=None)


def test_backfill_takes_the_start_of_the_current_finished_spell(cast, file_report):
    day = timezone.now().replace(microsecond=0) - timedelta(days=60)
    closed, reopened, still_open, no_history = (file_report() for _ in range(4))
    for incident in (closed, reopened, no_history):
        triage(incident, cast)
        _status(incident, cast, Status.RESOLVED, day)
    _status(closed, cast, Status.CLOSED, day + timedelta(days=9))
    _history(
        closed,
        (Status.REPORTED, day),
        (Status.TRIAGED, day + timedelta(days=1)),
        (Status.RESOLVED, day + timedelta(days=5)),
        (Status.CLOSED, day + timedelta(days=9)),
    )
    _history(
        reopened,
        (Status.TRIAGED, day),
        (Status.RESOLVED, day + timedelta(days=2)),
        (Status.IN_PROGRESS, day + timedelta(days=3)),
        (Status.RESOLVED, day + timedelta(days=20)),
    )
    _history(still_open, (Status.REPORTED, day))
    _history(no_history)
    _unset(closed, reopened, still_open, no_history)

    assert backfill_resolved_at(Incident, Incident.history.model) == 3

    assert _fresh(closed).resolved_at == day + timedelta(days=5)
    assert _fresh(reopened).resolved_at == day + timedelta(days=20)
    assert _fresh(still_open).resolved_at is None
    # Rows made in bulk have no history: their last update is the best estimate there is.
    assert _fresh(no_history).resolved_at == _fresh(no_history).updated_at


def test_backfill_leaves_incidents_that_already_have_a_moment(cast, file_report):
    incident = file_report()
    moment = timezone.now() - timedelta(days=2)
    _status(incident, cast, Status.NO_ACTION, moment)
    updated_at = _fresh(incident).updated_at
    assert backfill_resolved_at(Incident, Incident.history.model) == 0
    stored = _fresh(incident)
    assert stored.resolved_at == moment and stored.updated_at == updated_at
