"""A new version says what changed; the headteacher chooses whether families sign it again. A
correction keeps the signatures given in its round valid (coverage, reminders, letters); a re-sign
version starts coverage again."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from agreements import actions, queries, reminders, tasks
from agreements.models import AgreementReminder, AgreementVersion, ReminderStage, Signature, VersionStatus

from .conftest import CONTENT, sign

pytestmark = pytest.mark.django_db

WHATSAPP = "Version 2 adds the school's WhatsApp group; please read and sign again."
TYPO = "Version 2 corrects the spelling of the newsletter's name. Your signature still counts."


@pytest.fixture(autouse=True)
def _autumn_term():
    with time_machine.travel(datetime(2026, 10, 5, 9, 30, tzinfo=ZoneInfo("Europe/London")), tick=True):
        yield


def next_version(cast, *, needs_resign, note, **content):
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **{**CONTENT, **content})
    return actions.publish(draft, by=cast.headteacher, needs_resign=needs_resign, change_note=note)


def coverage(cast):
    version = AgreementVersion.objects.current_for(cast.school.pk)
    return queries.school_coverage(cast.school, version)[1]


def test_a_correction_keeps_signatures_valid_and_coverage_where_it_was(cast, version):
    first = sign(cast, version)
    assert coverage(cast).signed == 1
    corrected = next_version(cast, needs_resign=False, note=TYPO)
    assert corrected.is_correction and corrected.signing_round == version
    assert coverage(cast).signed == 1
    status = queries.signature_status(cast.parent, cast.child)
    assert status.signed_current and status.version == version  # which version this parent saw
    assert "has not yet signed" not in status.describe()
    with pytest.raises(actions.AlreadySigned):
        sign(cast, corrected)
    # A family signing after the correction signs the corrected words; both count.
    later = sign(cast, corrected, parent=cast.other_parent, pupil=cast.other_child)
    assert later.version == corrected and later.text_signed == corrected.signed_text()
    assert coverage(cast).signed == 2
    assert Signature.objects.get(pk=first.pk).version == version and first.is_intact


def test_a_resign_version_asks_every_family_again_and_coverage_restarts(cast, version):
    sign(cast, version)
    renewed = next_version(cast, needs_resign=True, note=WHATSAPP)
    assert not renewed.is_correction and renewed.round_id == renewed.pk
    assert coverage(cast).signed == 0
    status = queries.signature_status(cast.parent, cast.child)
    assert status.has_signed and not status.signed_current
    assert "has not yet signed the current version 2" in status.describe()
    assert sign(cast, renewed).version == renewed
    assert coverage(cast).signed == 1


def test_a_withdrawal_after_a_correction_uncovers_the_family_until_they_sign_again(cast, version):
    signature = sign(cast, version)
    corrected = next_version(cast, needs_resign=False, note=TYPO)
    actions.withdraw(signature=signature, parent=cast.parent, reason="", request_details=actions.RequestDetails("", ""))
    assert coverage(cast).signed == 0
    assert sign(cast, corrected).version == corrected
    assert coverage(cast).signed == 1


def test_a_correction_of_a_correction_stays_in_the_same_round(cast, version):
    sign(cast, version)
    next_version(cast, needs_resign=False, note=TYPO)
    third = next_version(cast, needs_resign=False, note="Version 3 fixes a broken link.")
    assert third.signing_round == version
    assert coverage(cast).signed == 1


def test_the_first_version_and_a_new_school_year_cannot_be_corrections(cast):
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    with pytest.raises(actions.PublishRefused, match="first published agreement"):
        actions.publish(draft, by=cast.headteacher, needs_resign=False)
    first = actions.publish(draft, by=cast.headteacher)
    nextyear = actions.start_draft(school=cast.school, by=cast.headteacher, **{**CONTENT, "academic_year": "2027/28"})
    with pytest.raises(actions.PublishRefused, match="a new school year asks every family"):
        actions.publish(nextyear, by=cast.headteacher, needs_resign=False, change_note=TYPO)
    assert AgreementVersion.objects.get(pk=nextyear.pk).status == VersionStatus.DRAFT
    assert AgreementVersion.objects.current_for(cast.school.pk) == first


def test_the_headteacher_chooses_on_the_publish_form_and_must_say_what_changed(cast, client_for, version):
    sign(cast, version)
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    client = client_for(cast.headteacher)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Do families need to sign this version again?" in page and "What changed, and why" in page
    publish = reverse("agreements:version_publish", args=[draft.pk])
    missing = client.post(publish, {"needs_resign": "correction", "change_note": "  "})
    assert missing.status_code == 400
    assert "Say what changed since the last version and why" in missing.content.decode()
    assert AgreementVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    response = client.post(publish, {"needs_resign": "correction", "change_note": TYPO}, follow=True)
    assert "signatures already given stay valid" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.change_note == TYPO and not draft.needs_resign
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert "A correction of version 1" in detail and "corrects the spelling" in detail
    assert (
        "Correction: earlier signatures stay valid" in client.get(reverse("agreements:version_list")).content.decode()
    )


def test_published_choices_are_frozen(cast, version):
    from agreements.models import AgreementImmutable

    version.needs_resign = False
    with pytest.raises(AgreementImmutable):
        version.save()


def test_a_correction_asks_only_families_never_asked_and_keeps_the_reminder_clock(
    cast, version, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.ask_parents_to_sign(version.pk)
    sign(cast, version)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        corrected = next_version(cast, needs_resign=False, note=TYPO)
    assert mail.outbox == []  # Jo signed; Sam was asked a moment ago in this round
    assert reminders.due_for_version(corrected) == {}
    week_later = version.published_at + timedelta(days=7, hours=1)
    assert reminders.due_for_version(corrected, now=week_later) == {ReminderStage.DAY_7: [cast.other_parent.pk]}
    with time_machine.travel(week_later, tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_unsigned_agreements()
        tasks.sweep_unsigned_agreements()
    assert [m.to for m in mail.outbox] == [[cast.other_parent.email]]
    assert AgreementReminder.objects.filter(version=version, stage=ReminderStage.DAY_7).count() == 1


def test_a_resign_version_asks_every_family_with_the_change_note(cast, version, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.ask_parents_to_sign(version.pk)
    sign(cast, version)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        next_version(cast, needs_resign=True, note=WHATSAPP)
    asked = {m.to[0]: m for m in mail.outbox}
    assert set(asked) == {cast.parent.email, cast.other_parent.email}
    assert "adds the school&#x27;s WhatsApp group" in asked[cast.parent.email].alternatives[0][0] or (
        "adds the school's WhatsApp group" in asked[cast.parent.email].body
    )


def test_the_parent_nudge_on_the_home_page_follows_the_round(cast, client_for, version):
    sign(cast, version)
    home = reverse("dashboard:home")
    assert "Please sign the home-school agreement" not in client_for(cast.parent).get(home).content.decode()
    next_version(cast, needs_resign=False, note=TYPO)
    assert "Please sign the home-school agreement" not in client_for(cast.parent).get(home).content.decode()
    next_version(cast, needs_resign=True, note=WHATSAPP)
    assert "Please sign the home-school agreement" in client_for(cast.parent).get(home).content.decode()


def test_versions_published_before_this_change_count_as_resign_versions(cast, version):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("agreements.migrations.0003_version_resign_or_correction")
    AgreementVersion.objects.filter(pk=version.pk).update(signing_round=None, needs_resign=False)
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    migration.published_versions_are_resign_versions(apps, None)
    version.refresh_from_db()
    draft.refresh_from_db()
    assert version.needs_resign and version.signing_round_id == version.pk
    assert draft.signing_round_id is None
