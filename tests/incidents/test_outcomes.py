"""Each kind of step ends with its own outcomes and records the facts it needs (incidents/outcomes.py)."""

import importlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import actions, outcomes
from incidents.forms import OutcomeForm
from incidents.models import EntryKind, EscalationStep, Nature, Outcome, PosterKind, Severity, StepKind

ISSUE_CHOICES = {
    StepKind.PLATFORM_REPORT: ["Removed", "Refused", "No reply", "Account suspended"],
    StepKind.REMOVAL_REQUEST: ["Removed", "Refused", "No reply"],
    StepKind.HEADTEACHER_MEETING: ["Held", "Declined", "Did not attend"],
    StepKind.WRITTEN_WARNING: ["Sent", "Removed after the warning"],
    StepKind.POLICE_REFERRAL: ["Crime reference given", "Advice given", "Investigating", "No further action"],
    StepKind.LEGAL_ADVICE: ["Advice received", "Letter before action sent"],
    StepKind.SAFEGUARDING_REFERRAL: ["Referral accepted", "No further action"],
}


@pytest.mark.parametrize("kind", list(ISSUE_CHOICES), ids=str)
def test_each_kind_offers_its_own_outcomes_and_nothing_else(kind):
    form = OutcomeForm(step_kind=kind)
    assert [label for _value, label in form.fields["outcome"].choices] == ISSUE_CHOICES[kind]
    for legacy in ("Complied", "Not complied", "Not applicable"):
        assert legacy not in str(form)


def test_each_kind_asks_for_the_fields_it_needs():
    assert OutcomeForm(step_kind=StepKind.PLATFORM_REPORT).fields["external_reference"].label == (
        "The platform's own reference"
    )
    assert (
        OutcomeForm(step_kind=StepKind.POLICE_REFERRAL).fields["external_reference"].label == "Crime reference number"
    )
    assert OutcomeForm(step_kind=StepKind.SAFEGUARDING_REFERRAL).fields["external_reference"].label == (
        "The agency's reference"
    )
    meeting = OutcomeForm(step_kind=StepKind.HEADTEACHER_MEETING).fields
    assert {"meeting_at", "attendees", "minutes"} <= set(meeting) and "external_reference" not in meeting
    for kind in (StepKind.REMOVAL_REQUEST, StepKind.WRITTEN_WARNING, StepKind.LEGAL_ADVICE):
        fields = OutcomeForm(step_kind=kind).fields
        assert not {"external_reference", "meeting_at", "attendees", "minutes"} & set(fields)


def test_every_kind_has_outcomes_and_every_offered_outcome_is_current():
    legacy = {Outcome.COMPLIED, Outcome.NOT_COMPLIED, Outcome.NOT_APPLICABLE, Outcome.PENDING, Outcome.SKIPPED}
    for kind in StepKind:
        offered = outcomes.outcomes_for(kind).choices
        assert kind == StepKind.CLUSTER_ALERT or offered
        assert not legacy & set(offered)
        rules = outcomes.outcomes_for(kind)
        assert rules.needs_reference <= set(offered) and rules.needs_attendees <= set(offered)
        assert not rules.needs_reference or rules.reference_label


def test_the_form_says_what_is_missing():
    police = OutcomeForm({"outcome": Outcome.CRIME_RECORDED}, step_kind=StepKind.POLICE_REFERRAL)
    assert not police.is_valid()
    assert police.errors["external_reference"] == ["Give the crime reference number for this outcome."]
    meeting = OutcomeForm({"outcome": Outcome.HELD}, step_kind=StepKind.HEADTEACHER_MEETING)
    assert not meeting.is_valid() and meeting.errors["attendees"] == ["Say who attended the meeting."]
    other = OutcomeForm({"outcome": Outcome.REMOVED}, step_kind=StepKind.POLICE_REFERRAL)
    assert not other.is_valid() and "outcome" in other.errors


@pytest.fixture
def case(cast, file_report):
    incident = file_report(natures=[Nature.COMPLAINT])
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity=Severity.MEDIUM,
        natures=[Nature.COMPLAINT],
        poster_kind=PosterKind.PARENT,
        owner=cast.headteacher,
    )
    return incident


def test_the_action_refuses_another_kinds_outcome(cast, case):
    step = actions.add_step(incident=case, by=cast.headteacher, kind=StepKind.REMOVAL_REQUEST)
    with pytest.raises(actions.ActionError, match="outcomes this step offers"):
        actions.record_step_outcome(step=step, by=cast.headteacher, outcome=Outcome.HELD)
    with pytest.raises(actions.ActionError):
        actions.record_step_outcome(step=step, by=cast.headteacher, outcome=Outcome.COMPLIED)
    police = actions.add_step(incident=case, by=cast.headteacher, kind=StepKind.POLICE_REFERRAL)
    with pytest.raises(actions.ActionError, match="crime reference number"):
        actions.record_step_outcome(step=police, by=cast.headteacher, outcome=Outcome.CRIME_RECORDED)
    assert EscalationStep.objects.get(pk=police.pk).is_pending


def test_the_meeting_page_and_timeline_show_who_attended_and_the_minutes(cast, case, client_for):
    step = actions.add_step(incident=case, by=cast.headteacher, kind=StepKind.HEADTEACHER_MEETING)
    client = client_for(cast.headteacher)
    page = client.get(reverse("incidents:detail", args=[case.pk])).content.decode()
    assert "Did not attend" in page and "Minutes of the meeting" in page
    when = (timezone.localtime() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = client.post(
        reverse("incidents:step_outcome", args=[case.pk, step.pk]),
        {
            f"step{step.pk}-outcome": "held",
            f"step{step.pk}-meeting_at": when.strftime("%Y-%m-%dT%H:%M"),
            f"step{step.pk}-attendees": "Mrs Head, Mr Taylor (father)",
            f"step{step.pk}-minutes": "Mr Taylor agreed to take the post down tonight.",
        },
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.outcome == Outcome.HELD and step.attendees == "Mrs Head, Mr Taylor (father)"
    timeline = client.get(reverse("incidents:timeline", args=[case.pk])).content.decode()
    assert "Meeting with the headteacher: held" in timeline
    assert "Who attended: Mrs Head, Mr Taylor (father)" in timeline
    assert "Minutes: Mr Taylor agreed to take the post down tonight." in timeline
    page = client.get(reverse("incidents:detail", args=[case.pk])).content.decode()
    assert "Who attended: Mrs Head, Mr Taylor (father)" in page


def test_the_police_step_keeps_the_crime_reference(cast, case, client_for):
    step = actions.add_step(incident=case, by=cast.headteacher, kind=StepKind.POLICE_REFERRAL)
    actions.record_step_outcome(
        step=step, by=cast.headteacher, outcome=Outcome.CRIME_RECORDED, external_reference="CR/12345/26"
    )
    entry = case.timeline.get(kind=EntryKind.STEP_OUTCOME)
    assert entry.summary == "Refer to the police: crime reference given (crime reference number CR/12345/26)"
    page = client_for(cast.headteacher).get(reverse("incidents:detail", args=[case.pk])).content.decode()
    assert "Crime reference number: CR/12345/26" in page


def test_an_outcome_can_be_changed_and_the_change_is_on_the_timeline(cast, case, client_for):
    step = actions.add_step(incident=case, by=cast.headteacher, kind=StepKind.WRITTEN_WARNING)
    actions.record_step_outcome(step=step, by=cast.headteacher, outcome=Outcome.SENT)
    client = client_for(cast.headteacher)
    assert "Change the outcome" in client.get(reverse("incidents:detail", args=[case.pk])).content.decode()
    # The first form posted twice is refused; only the change form (change=1) changes it.
    url = reverse("incidents:step_outcome", args=[case.pk, step.pk])
    client.post(url, {f"step{step.pk}-outcome": "warning_removed"})
    assert EscalationStep.objects.get(pk=step.pk).outcome == Outcome.SENT
    client.post(url, {f"step{step.pk}-outcome": "warning_removed", "change": "1"})
    assert EscalationStep.objects.get(pk=step.pk).outcome == Outcome.REMOVED_AFTER_WARNING
    assert case.timeline.filter(summary="Written warning: removed after the warning, changed from sent").exists()


def test_a_skipped_step_cannot_be_given_an_outcome(cast, case):
    step = actions.skip_step(incident=case, by=cast.headteacher, kind=StepKind.REMOVAL_REQUEST, reason="Unknown.")
    with pytest.raises(actions.ActionError):
        actions.record_step_outcome(step=step, by=cast.headteacher, outcome=Outcome.REMOVED, change=True)


@pytest.mark.parametrize(
    ("kind", "old", "reference", "new"),
    [
        (StepKind.PLATFORM_REPORT, "complied", "", Outcome.REMOVED),
        (StepKind.PLATFORM_REPORT, "not_complied", "", Outcome.REFUSED),
        (StepKind.REMOVAL_REQUEST, "not_complied", "", Outcome.REFUSED),
        (StepKind.HEADTEACHER_MEETING, "complied", "", Outcome.HELD),
        (StepKind.WRITTEN_WARNING, "complied", "", Outcome.SENT),
        (StepKind.POLICE_REFERRAL, "complied", "CR/1/26", Outcome.CRIME_RECORDED),
        (StepKind.POLICE_REFERRAL, "complied", "", Outcome.ADVICE_GIVEN),
        (StepKind.POLICE_REFERRAL, "not_complied", "", Outcome.NO_FURTHER_ACTION),
        (StepKind.LEGAL_ADVICE, "complied", "", Outcome.ADVICE_RECEIVED),
        (StepKind.SAFEGUARDING_REFERRAL, "complied", "", Outcome.ACCEPTED),
        (StepKind.ANTI_BULLYING, "complied", "", Outcome.DONE),
        (StepKind.PREMISES_BAN, "not_complied", "", Outcome.NOT_DONE),
        (StepKind.REMOVAL_REQUEST, "not_applicable", "", Outcome.SKIPPED),
    ],
)
def test_old_outcomes_map_to_the_kinds_own(kind, old, reference, new):
    assert outcomes.from_legacy(kind, old, reference) == new
    assert new == Outcome.SKIPPED or outcomes.offers(kind, new)


def test_the_data_migration_uses_the_same_mapping():
    migration = importlib.import_module("incidents.migrations.0014_outcomes_per_kind")
    assert {kind.value: dict(mapping) for kind, mapping in outcomes.LEGACY.items()} == migration.LEGACY


def test_the_data_migration_moves_old_rows(cast, case):
    from django.apps import apps

    migration = importlib.import_module("incidents.migrations.0014_outcomes_per_kind")
    rows = {
        kind: actions.add_step(incident=case, by=cast.headteacher, kind=kind)
        for kind in (StepKind.PLATFORM_REPORT, StepKind.POLICE_REFERRAL, StepKind.REMOVAL_REQUEST)
    }
    EscalationStep.objects.filter(pk=rows[StepKind.PLATFORM_REPORT].pk).update(outcome="not_complied")
    EscalationStep.objects.filter(pk=rows[StepKind.POLICE_REFERRAL].pk).update(
        outcome="complied", external_reference="CR/9/26"
    )
    EscalationStep.objects.filter(pk=rows[StepKind.REMOVAL_REQUEST].pk).update(outcome="not_applicable")
    migration.per_kind(apps, None)
    after = {step.kind: step for step in EscalationStep.objects.filter(incident=case)}
    assert after[StepKind.PLATFORM_REPORT].outcome == Outcome.REFUSED
    assert after[StepKind.POLICE_REFERRAL].outcome == Outcome.CRIME_RECORDED
    assert after[StepKind.REMOVAL_REQUEST].outcome == Outcome.SKIPPED
    assert "not applicable" in after[StepKind.REMOVAL_REQUEST].skip_reason


def test_the_cluster_draft_says_we_met_them_only_if_the_meeting_was_held(cast, case):
    from incidents.cluster.drafts import initial_for

    step = actions.add_step(incident=case, by=cast.headteacher, kind=StepKind.HEADTEACHER_MEETING)
    actions.record_step_outcome(step=step, by=cast.headteacher, outcome=Outcome.DECLINED)
    step.refresh_from_db()
    assert "We met" not in initial_for(case, [step])["actions_taken"]
    actions.record_step_outcome(
        step=step, by=cast.headteacher, outcome=Outcome.HELD, attendees="Mr Taylor", change=True
    )
    step.refresh_from_db()
    assert "We met the person who posted it." in initial_for(case, [step])["actions_taken"]


def test_a_reference_label_in_a_sentence_keeps_an_acronyms_capitals():
    from incidents.outcomes import outcomes_for

    assert outcomes_for(StepKind.POSH_ESCALATION).reference_in_sentence == "POSH's reference"
    assert outcomes_for(StepKind.LADO_REFERRAL).reference_in_sentence == "the LADO's reference"
    assert outcomes_for(StepKind.POLICE_REFERRAL).reference_in_sentence == "crime reference number"
    assert outcomes_for(StepKind.PLATFORM_REPORT).reference_in_sentence == "the platform's own reference"
