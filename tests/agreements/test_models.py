"""Invariants held by the models themselves: published wording is fixed; signatures are
written once, never changed or deleted; the fingerprint catches any change to a stored row."""

import pytest
from django.db import connection

from agreements import actions
from agreements.fingerprint import canonical_bytes
from agreements.models import AgreementImmutable, AgreementVersion, InvalidTransition, Signature, VersionStatus

from .conftest import CONTENT, sign

pytestmark = pytest.mark.django_db


def test_a_draft_can_be_edited_and_deleted(cast):
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    actions.update_draft(draft, title="Our agreement")
    assert AgreementVersion.objects.get(pk=draft.pk).title == "Our agreement"
    draft.delete()
    assert not AgreementVersion.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("field", ["title", "introduction", "channels", "will_commitments", "will_not_commitments"])
def test_published_wording_cannot_change(cast, version, field):
    version.refresh_from_db()
    setattr(version, field, "Something else")
    with pytest.raises(AgreementImmutable):
        version.save()
    assert getattr(AgreementVersion.objects.get(pk=version.pk), field) == CONTENT[field]


def test_published_version_cannot_be_deleted_or_go_back_to_draft(cast, version):
    with pytest.raises(AgreementImmutable):
        version.delete()
    version.status = VersionStatus.DRAFT
    with pytest.raises(InvalidTransition, match="This version is published, so it cannot move to “Draft”."):
        version.save()


def test_publishing_a_new_version_supersedes_the_old_one(cast, version):
    second = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    actions.publish(second, by=cast.headteacher)
    version.refresh_from_db()
    assert version.status == VersionStatus.SUPERSEDED
    assert second.number == version.number + 1
    assert AgreementVersion.objects.current_for(cast.school.pk) == second


def test_a_signature_refuses_to_be_saved_again(cast, version):
    signature = sign(cast, version)
    signature.typed_name = "Someone Else"
    with pytest.raises(AgreementImmutable):
        signature.save()
    assert Signature.objects.filter(pk=signature.pk).values_list("typed_name", flat=True)[0] == "Jo Parent"


def test_a_signature_refuses_to_be_deleted(cast, version):
    signature = sign(cast, version)
    with pytest.raises(AgreementImmutable):
        signature.delete()
    with pytest.raises(AgreementImmutable):
        Signature.objects.filter(pk=signature.pk).delete()
    with pytest.raises(AgreementImmutable):
        Signature.objects.filter(pk=signature.pk).update(typed_name="X")
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_a_fresh_signature_is_intact(cast, version):
    signature = sign(cast, version)
    stored = Signature.objects.get(pk=signature.pk)
    assert len(stored.content_hash) == 64
    assert stored.is_intact


def _tamper(signature, column, value):
    # What an attacker with database access would do: bypass the application entirely.
    table = Signature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, signature.pk])


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("text_signed", "A different agreement text"),
        ("typed_name", "Someone Else"),
        ("pupil_name", "Another Child"),
        ("class_name", "Badgers"),
        ("ip_address", "198.51.100.1"),
        ("user_agent", "Other browser"),
        ("academic_year", "2019/20"),
        ("consents", '{"read": "I have read it."}'),
        ("kind", "withdrawn"),
        ("method", "paper"),
        ("signed_at", "2020-01-01 10:00:00"),
        ("sequence", 7),
        ("scan_sha256", "0" * 64),
    ],
)
def test_changing_any_stored_field_is_detected(cast, version, column, value):
    signature = sign(cast, version)
    _tamper(signature, column, value)
    assert not Signature.objects.get(pk=signature.pk).is_intact


@pytest.mark.parametrize("column", ["parent_id", "pupil_id"])
def test_moving_a_signature_to_another_family_is_detected(cast, version, column):
    signature = sign(cast, version)
    other = cast.other_parent.pk if column == "parent_id" else cast.other_child.pk
    _tamper(signature, column, other)
    assert not Signature.objects.get(pk=signature.pk).is_intact


def test_replacing_the_fingerprint_with_a_naive_one_is_detected(cast, version):
    import hashlib

    signature = sign(cast, version)
    _tamper(signature, "text_signed", "Edited")
    _tamper(signature, "content_hash", hashlib.sha256(b"Edited").hexdigest())
    assert not Signature.objects.get(pk=signature.pk).is_intact


def test_canonical_serialisation_does_not_depend_on_key_order():
    assert canonical_bytes({"b": 1, "a": "é"}) == canonical_bytes({"a": "é", "b": 1}) == '{"a":"é","b":1}'.encode()


def test_signed_text_holds_every_commitment_and_the_acknowledgement(cast, version):
    text = Signature.objects.get(pk=sign(cast, version).pk).text_signed
    for line in CONTENT["will_commitments"].splitlines() + CONTENT["will_not_commitments"].splitlines():
        assert f"- {line}" in text
    assert "not a legal contract" in text
    assert cast.school.name in text


# Every field the fingerprint covers, with a value an attacker might write straight into the row.
# (Values that need other rows are filled in by the test.)
TAMPERING = {
    "version_id": "other version",
    "school_id": "other school",
    "parent_id": "other parent",
    "pupil_id": "other pupil",
    "sequence": 7,
    "kind": "withdrawn",
    "method": "paper",
    "academic_year": "2019/20",
    "pupil_name": "Another Child",
    "class_name": "Badgers",
    "typed_name": "Someone Else",
    "consents": '{"read": "I have read it."}',
    "text_signed": "A different agreement text",
    "signed_at": "2020-01-01 10:00:00",
    "ip_address": "198.51.100.1",
    "user_agent": "Other browser",
    "recorded_by_id": "office",
    "paper_signed_on": "2020-01-01",
    "scan_sha256": "0" * 64,
    "withdraws_id": "earlier record",
}


def test_the_tampering_cases_cover_every_signed_field(cast, version):
    assert set(TAMPERING) == set(sign(cast, version).signed_fields())


@pytest.mark.parametrize("field", sorted(TAMPERING))
def test_changing_each_signed_field_in_the_database_is_detected(cast, version, field):
    earlier = sign(cast, version, pupil=cast.child)
    signature = sign(cast, version, parent=cast.other_parent, pupil=cast.other_child)
    value = {
        "other version": actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT).pk,
        "other school": cast.other_school.pk,
        "other parent": cast.parent.pk,
        "other pupil": cast.child.pk,
        "office": cast.office.pk,
        "earlier record": earlier.pk,
    }.get(TAMPERING[field], TAMPERING[field])
    assert Signature.objects.get(pk=signature.pk).is_intact
    _tamper(signature, field, value)
    assert not Signature.objects.get(pk=signature.pk).is_intact
