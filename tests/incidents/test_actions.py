"""The writes in incidents.actions: what they store, what they put on the timeline, what they send."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from incidents import actions
from incidents.models import (
    EntryKind,
    EscalationStep,
    Incident,
    InvalidTransition,
    Nature,
    Outcome,
    PosterKind,
    Severity,
    Status,
    StepKind,
)
from notifications.models import Notification


def triage(incident, cast, **overrides):
    data = {
        "incident": incident,
        "by": cast.headteacher,
        "severity": Severity.MEDIUM,
        "natures": [Nature.COMPLAINT],
        "poster_kind": PosterKind.PARENT,
        "owner": cast.headteacher,
    }
    data.update(overrides)
    return actions.triage(**data)


def test_report_stores_the_facts_files_and_timeline(cast, file_report):
    incident = file_report(natures=[Nature.COMPLAINT, Nature.DEFAMATORY], files=2)
    assert incident.status == Status.REPORTED
    assert sorted(incident.nature_codes) == [Nature.COMPLAINT, Nature.DEFAMATORY]
    assert incident.urls == ["https://www.facebook.com/groups/123/posts/456"]
    files = list(incident.evidence.all())
    assert [f.original_name for f in files] == ["shot-0.png", "shot-1.png"]
    assert all(len(f.sha256) == 64 and f.uploaded_by == cast.parent for f in files)
    assert files[0].file.name.startswith(f"evidence/{cast.school.pk}/")
    kinds = list(incident.timeline.values_list("kind", "internal"))
    assert kinds == [(EntryKind.REPORTED, False), (EntryKind.EVIDENCE, False)]
    assert not Notification.objects.exists()


def test_evidence_keeps_the_original_bytes(file_report):
    import hashlib

    evidence = file_report(files=1).evidence.get()
    with evidence.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == evidence.sha256


@pytest.mark.parametrize("flag", ["pupils_identifiable", "safeguarding_concern"])
def test_dsl_is_alerted_at_once_without_case_details(cast, file_report, django_capture_on_commit_callbacks, flag):
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_report(**{flag: True}, content="Mia from Otters is in this video")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cast.dsl.email]
    body = message.body + message.subject + message.alternatives[0][0]
    assert f"/incidents/{incident.pk}/" in body
    for secret in ("Mia", "Otters", incident.reference, "Facebook", cast.parent.full_name):
        assert secret not in body
    assert incident.timeline.filter(kind=EntryKind.ALERT).count() == 1


def test_dsl_is_alerted_only_once(cast, file_report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_report(safeguarding_concern=True)
        triage(incident, cast, pupils_identifiable=True, safeguarding_concern=True)
    assert len(mail.outbox) == 1


def test_triage_that_finds_an_identifiable_pupil_alerts_the_dsl(cast, file_report, django_capture_on_commit_callbacks):
    incident = file_report()
    with django_capture_on_commit_callbacks(execute=True):
        triage(incident, cast, pupils_identifiable=True)
    assert len(mail.outbox) == 1


def test_triage_confirms_the_facts_and_moves_the_status(cast, file_report):
    incident = file_report(natures=[Nature.COMPLAINT])
    triage(
        incident,
        cast,
        severity=Severity.HIGH,
        natures=[Nature.THREAT],
        poster_kind=PosterKind.PUPIL,
        pupil_links=[(cast.other_child, "poster")],
        owner=cast.dsl,
        note="Spoke to the class teacher.",
    )
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.status == Status.TRIAGED
    assert incident.severity == Severity.HIGH
    assert incident.nature_codes == [Nature.THREAT]
    assert incident.poster_pupil == cast.other_child
    assert incident.owner == cast.dsl
    entry = incident.timeline.get(kind=EntryKind.TRIAGED)
    assert entry.internal and entry.body == "Spoke to the class teacher."


def test_steps_need_a_triaged_incident(cast, file_report):
    incident = file_report()
    with pytest.raises(actions.ActionError):
        actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)


def test_planning_a_step_starts_the_case_and_sets_the_next_due_date(cast, file_report):
    incident = triage(file_report(), cast)
    step = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.REMOVAL_REQUEST)
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.status == Status.IN_PROGRESS
    assert step.due_date == timezone.localdate() + timedelta(days=7)
    assert step.owner == cast.headteacher
    assert incident.next_due_on == step.due_date


def test_recording_an_outcome_clears_the_due_date(cast, file_report):
    incident = triage(file_report(), cast)
    step = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    actions.record_step_outcome(step=step, by=cast.dsl, outcome=Outcome.REFUSED, external_reference="FB-99812")
    step.refresh_from_db()
    assert step.outcome == Outcome.REFUSED and step.completed_by == cast.dsl
    assert Incident.objects.get(pk=incident.pk).next_due_on is None
    entry = incident.timeline.get(kind=EntryKind.STEP_OUTCOME)
    assert "FB-99812" in entry.summary
    with pytest.raises(actions.ActionError):
        actions.record_step_outcome(step=step, by=cast.dsl, outcome=Outcome.REMOVED)


def test_overdue_steps_flag_the_incident(cast, file_report):
    incident = triage(file_report(), cast)
    step = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    EscalationStep.objects.filter(pk=step.pk).update(due_date=timezone.localdate() - timedelta(days=2))
    actions.add_note(incident=incident, by=cast.headteacher, text="Chased.")
    actions.refresh_next_due(incident)
    assert Incident.objects.overdue().filter(pk=incident.pk).exists()
    assert EscalationStep.objects.get(pk=step.pk).is_overdue


def test_skipping_needs_a_reason_and_records_it(cast, file_report):
    incident = triage(file_report(), cast)
    with pytest.raises(actions.ActionError):
        actions.skip_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT, reason="  ")
    step = actions.skip_step(
        incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT, reason="The post was already deleted."
    )
    assert step.outcome == Outcome.SKIPPED and step.skip_reason == "The post was already deleted."
    assert incident.timeline.get(kind=EntryKind.STEP_SKIPPED).body == "The post was already deleted."
    assert StepKind.PLATFORM_REPORT not in [s.step for s in actions.suggestions_for(incident, [step])]


def test_skipping_a_planned_step(cast, file_report):
    incident = triage(file_report(), cast)
    step = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.HEADTEACHER_MEETING)
    actions.skip_step(incident=incident, by=cast.headteacher, step=step, reason="Parent apologised by phone.")
    assert EscalationStep.objects.get(pk=step.pk).outcome == Outcome.SKIPPED
    assert Incident.objects.get(pk=incident.pk).next_due_on is None


def test_status_changes_follow_the_map_and_need_a_reason_to_finish(cast, file_report):
    incident = file_report()
    with pytest.raises(InvalidTransition, match="This incident is marked “Reported”, so it cannot move to “Closed”."):
        actions.change_status(incident=incident, by=cast.headteacher, status=Status.CLOSED, reason="x")
    with pytest.raises(actions.ActionError):
        actions.change_status(incident=incident, by=cast.headteacher, status=Status.NO_ACTION)
    actions.change_status(
        incident=incident, by=cast.headteacher, status=Status.NO_ACTION, reason="Not about the school."
    )
    entry = incident.timeline.get(kind=EntryKind.STATUS)
    assert not entry.internal and entry.summary == "Status changed to no action needed"


def test_notes_are_internal(cast, file_report):
    incident = file_report()
    note = actions.add_note(incident=incident, by=cast.dsl, text="Called the parent; no answer.")
    assert note.internal and note.kind == EntryKind.NOTE
    with pytest.raises(actions.ActionError):
        actions.add_note(incident=incident, by=cast.dsl, text="   ")


def test_dsl_addresses_fall_back_to_the_headteacher(cast):
    from accounts.models import Membership, Role

    assert actions.dsl_addresses(cast.school) == [cast.dsl.email]
    Membership.objects.filter(school=cast.school, role=Role.DSL).update(is_active=False)
    assert actions.dsl_addresses(cast.school) == [cast.headteacher.email]


def test_refresh_next_due_follows_the_waiting_steps(cast, file_report):
    incident = triage(file_report(), cast)
    first = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    second = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.REMOVAL_REQUEST)
    soon, later = timezone.localdate() + timedelta(days=1), timezone.localdate() + timedelta(days=9)
    EscalationStep.objects.filter(pk=first.pk).update(due_date=later)
    EscalationStep.objects.filter(pk=second.pk).update(due_date=soon)
    actions.refresh_next_due(incident)
    assert incident.next_due_on == soon and Incident.objects.get(pk=incident.pk).next_due_on == soon
    EscalationStep.objects.filter(pk__in=[first.pk, second.pk]).update(outcome=Outcome.REMOVED)
    actions.refresh_next_due(incident)
    assert Incident.objects.get(pk=incident.pk).next_due_on is None
