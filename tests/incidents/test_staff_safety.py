"""Staff safety: a threat to a named adult, or a post revealing their home or family, is urgent,
tells the headteacher and the DSL at once (once, naming nothing), and is badged on the lists."""

import re

from django.core import mail
from django.urls import reverse

from incidents import actions
from incidents.models import EntryKind, Incident, Nature, PosterKind, Severity, StepKind
from notifications.models import Notification
from tests.conftest import sign_in

THREAT = "I know where she lives… outside the gates Monday"


def file_threat(file_report, **fields):
    fields.setdefault("content", THREAT)
    fields.setdefault("targeted", "Mrs Patel (Year 4)")
    return file_report(natures=[Nature.OFFENSIVE_NAMED], **fields)


def test_the_threat_is_urgent_and_alerts_the_headteacher_and_dsl_at_once(
    cast, file_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_threat(file_report)
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.staff_safety and incident.severity == Severity.CRITICAL
    assert incident.staff_safety_alerted_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([cast.headteacher.email, cast.dsl.email])
    assert "Staff safety" in message.subject
    body = message.subject + message.body + message.alternatives[0][0]
    assert f"/incidents/{incident.pk}/" in body
    for secret in ("Patel", "lives", "gates", incident.reference, "Facebook", cast.parent.full_name):
        assert secret not in body
    assert incident.timeline.filter(kind=EntryKind.ALERT, summary__startswith="Staff safety").count() == 1


def test_the_alert_is_sent_once_however_often_the_case_is_triaged(
    cast, file_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_threat(file_report)
        for _ in range(2):
            actions.triage(
                incident=incident,
                by=cast.headteacher,
                severity=Severity.HIGH,
                natures=[Nature.THREAT],
                poster_kind=PosterKind.PARENT,
                owner=cast.headteacher,
            )
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(template="incident-staff-safety-alert").count() == 1
    # The headteacher's own severity stands at triage.
    assert Incident.objects.get(pk=incident.pk).severity == Severity.HIGH


def test_ordinary_criticism_of_a_teacher_alerts_nobody(cast, file_report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_report(
            natures=[Nature.COMPLAINT, Nature.OFFENSIVE_NAMED],
            content="Mrs Patel is hopeless and the head never replies to anyone.",
            targeted="Mrs Patel",
        )
    incident = Incident.objects.get(pk=incident.pk)
    assert not incident.staff_safety and incident.severity == ""
    assert not mail.outbox


def test_a_staff_surname_in_the_post_is_enough_to_name_the_adult(cast, file_report):
    # Priya Teacher is on the staff of the school (tests/conftest.py).
    incident = file_report(content="Teacher had better watch her back", targeted="")
    assert Incident.objects.get(pk=incident.pk).staff_safety


def test_triage_can_raise_the_flag_or_clear_it(cast, file_report, django_capture_on_commit_callbacks):
    incident = file_report()
    with django_capture_on_commit_callbacks(execute=True):
        actions.triage(
            incident=incident,
            by=cast.headteacher,
            severity=Severity.HIGH,
            natures=[Nature.COMPLAINT],
            poster_kind=PosterKind.PARENT,
            owner=cast.headteacher,
            staff_safety=True,
        )
    assert Incident.objects.get(pk=incident.pk).staff_safety
    assert len(mail.outbox) == 1
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity=Severity.LOW,
        natures=[Nature.COMPLAINT],
        poster_kind=PosterKind.PARENT,
        owner=cast.headteacher,
        staff_safety=False,
    )
    incident = Incident.objects.get(pk=incident.pk)
    assert not incident.staff_safety
    steps = [s.step for s in actions.suggestions_for(incident, [])]
    assert StepKind.RISK_ASSESSMENT not in steps


def test_the_case_suggests_the_police_and_a_risk_assessment_first(cast, file_report, client_for):
    incident = file_threat(file_report)
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity=Severity.CRITICAL,
        natures=[Nature.THREAT, Nature.OFFENSIVE_NAMED],
        poster_kind=PosterKind.PARENT,
        owner=cast.headteacher,
        staff_safety=True,
    )
    incident = Incident.objects.select_related("platform").get(pk=incident.pk)
    suggestions = actions.suggestions_for(incident, [])
    assert [s.step for s in suggestions[:2]] == [StepKind.POLICE_REFERRAL, StepKind.RISK_ASSESSMENT]
    page = client_for(cast.headteacher).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "Risk assessment for the member of staff" in page
    step = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.RISK_ASSESSMENT)
    assert step.get_kind_display() == "Risk assessment for the member of staff"


def test_red_badge_on_the_list_and_the_dashboard(cast, file_report, client, client_for):
    threat = file_threat(file_report)
    plain = file_report()
    for user in (cast.headteacher, cast.dsl):
        sign_in(client, user)
        for url in (reverse("incidents:list"), reverse("dashboard:home")):
            page = client.get(url).content.decode()
            rows = re.split(r"<tr|<li", page)  # one table row or list item each
            row = next(row for row in rows if threat.reference in row)
            assert '<span class="badge text-bg-danger">Staff safety</span>' in row, url
            plain_row = next(row for row in rows if plain.reference in row)
            assert "Staff safety" not in plain_row
