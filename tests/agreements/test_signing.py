"""A parent signs for each child on their page; bad input gets a clear message and writes nothing."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from agreements import actions
from agreements.models import AgreementVersion, Signature, SignatureKind, SignedCopy
from tests.factories import make_pupil

from .conftest import CONTENT, sign

pytestmark = pytest.mark.django_db

PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


def post_sign(client, cast, version, pupil=None, follow=False, **data):
    pupil = pupil or cast.child
    payload = {
        "version_id": version.pk,
        "children": [pupil.pk],
        "read": "on",
        "acknowledge": "on",
        "typed_name": "Jo Parent",
    }
    payload.update(data)
    return client.post(
        reverse("agreements:sign"), payload, follow=follow, HTTP_USER_AGENT=PHONE_UA, REMOTE_ADDR="203.0.113.5"
    )


def test_parent_page_lists_children_with_their_status(cast, client_for, version):
    page = client_for(cast.parent).get(reverse("agreements:parent_home")).content.decode()
    assert cast.child.full_name in page
    assert "Not signed yet" in page
    assert cast.other_child.full_name not in page


def test_sign_page_shows_the_full_text_child_and_class(cast, client_for, version):
    page = client_for(cast.parent).get(reverse("agreements:sign")).content.decode()
    for line in CONTENT["will_not_commitments"].splitlines():
        assert line.replace("'", "&#x27;") in page
    assert "Mia Parent in Otters" in page
    assert 'name="viewport"' in page


def test_signing_stores_every_detail_and_emails_a_pdf(cast, client_for, version, django_capture_on_commit_callbacks):
    client = client_for(cast.parent)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_sign(client, cast, version, typed_name="  jo   PARENT ")
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.version, signature.parent, signature.pupil) == (version, cast.parent, cast.child)
    assert signature.class_name == "Otters"
    assert signature.typed_name == "jo PARENT"
    assert signature.ip_address == "203.0.113.5"
    assert signature.user_agent == PHONE_UA
    assert signature.academic_year == version.academic_year
    assert signature.signed_at.utcoffset().total_seconds() == 0
    assert set(signature.consents) == {"read", "child", "acknowledge"}
    assert signature.text_signed == version.signed_text()
    assert signature.is_intact
    [email] = [m for m in mail.outbox if "signed copy" in m.subject.lower()]
    assert email.to == ["jo.parent@example.org"]
    [(filename, content, mimetype)] = email.attachments
    assert mimetype == "application/pdf" and filename.endswith(".pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Mia Parent" in text and "jo PARENT" in text and signature.content_hash[:16] in text.replace("\n", "")


def test_parent_downloads_the_signed_copy(cast, client_for, version, django_capture_on_commit_callbacks):
    client = client_for(cast.parent)
    with django_capture_on_commit_callbacks(execute=True):
        post_sign(client, cast, version)
    signature = Signature.objects.get()
    page = client.get(reverse("agreements:parent_home")).content.decode()
    assert reverse("agreements:signature_pdf", args=[signature.pk]) in page
    response = client.get(reverse("agreements:signature_pdf", args=[signature.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert SignedCopy.objects.count() == 1


def test_download_renders_the_copy_if_the_task_has_not_run_yet(cast, client_for, version):
    signature = sign(cast, version)  # on-commit task not run in this test
    response = client_for(cast.parent).get(reverse("agreements:signature_pdf", args=[signature.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_another_family_cannot_open_or_download_a_signature(cast, client_for, version):
    signature = sign(cast, version)
    for user in (cast.other_parent, cast.other_school_parent, cast.other_office, cast.staff, cast.governor):
        client = client_for(user)
        assert client.get(reverse("agreements:signature_pdf", args=[signature.pk])).status_code == 404, user
        assert client.get(reverse("agreements:verify", args=[signature.pk])).status_code == 404, user


# --- bad input writes nothing ---------------------------------------------------------------------
def test_signing_for_a_child_who_is_not_yours_is_404_and_refused(cast, client_for, version):
    client = client_for(cast.parent)
    response = post_sign(client, cast, version, pupil=cast.other_child)
    assert response.status_code == 400
    assert "You can only sign for your own children" in response.content.decode()
    assert client.get(reverse("agreements:sign_child", args=[cast.other_child.pk])).status_code == 404
    with pytest.raises(actions.SigningRefused, match="linked to your account"):
        sign(cast, version, pupil=cast.other_child)
    assert not Signature.objects.exists()


def test_empty_name_is_refused(cast, client_for, version):
    response = post_sign(client_for(cast.parent), cast, version, typed_name="   ")
    assert response.status_code == 400
    assert "Type your full name to sign." in response.content.decode()
    assert not Signature.objects.exists()


def test_mismatched_name_is_refused_and_what_was_typed_is_kept(cast, client_for, version):
    response = post_sign(client_for(cast.parent), cast, version, typed_name="Mickey Mouse")
    page = response.content.decode()
    assert response.status_code == 400
    assert "does not match the name on your account (Jo Parent)" in page
    assert 'value="Mickey Mouse"' in page
    assert not Signature.objects.exists()


def test_unticked_boxes_are_refused(cast, client_for, version):
    response = post_sign(client_for(cast.parent), cast, version, read="", acknowledge="")
    page = response.content.decode()
    assert "Please confirm you have read the agreement." in page
    assert "Please tick to confirm you understand." in page
    assert not Signature.objects.exists()


def test_signing_twice_for_the_same_year_is_refused(cast, client_for, version):
    client = client_for(cast.parent)
    post_sign(client, cast, version)
    response = post_sign(client, cast, version, follow=True)
    assert response.redirect_chain[-1][0] == reverse("agreements:parent_home")
    assert "You have already signed the agreement for each of your children" in response.content.decode()
    assert Signature.objects.count() == 1
    with pytest.raises(actions.SigningRefused, match="You have already signed the"):
        sign(cast, version)


def test_signing_a_version_replaced_while_the_page_was_open_is_refused(cast, client_for, version):
    newer = actions.publish(
        actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT), by=cast.headteacher
    )
    response = post_sign(client_for(cast.parent), cast, version)
    assert response.status_code == 400
    assert "published a new version" in response.content.decode()
    assert not Signature.objects.exists()
    assert newer.is_open_for_signing


def test_a_version_for_a_past_school_year_cannot_be_signed(cast, client_for):
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT, academic_year="2019/20")
    old = actions.publish(draft, by=cast.headteacher)
    response = post_sign(client_for(cast.parent), cast, old)
    assert response.status_code == 400
    assert "2019/20 school year, which has ended" in response.content.decode()
    assert not Signature.objects.exists()


def test_nothing_to_sign_before_publication(cast, client_for):
    actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    client = client_for(cast.parent)
    assert "has not published its agreement" in client.get(reverse("agreements:parent_home")).content.decode()
    response = client.post(reverse("agreements:sign"), {"typed_name": "Jo Parent"})
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_staff_cannot_use_the_parent_pages(cast, client_for, version):
    for user in (cast.headteacher, cast.office, cast.staff):
        assert client_for(user).get(reverse("agreements:parent_home")).status_code == 404


# --- withdrawing and new versions -------------------------------------------------------------------
def test_withdrawing_adds_a_record_and_allows_signing_again(cast, client_for, version):
    client = client_for(cast.parent)
    post_sign(client, cast, version)
    original = Signature.objects.get()
    response = client.post(reverse("agreements:withdraw", args=[original.pk]), {"confirm": "on", "reason": "Moved"})
    assert response.status_code == 302
    withdrawal = Signature.objects.get(kind=SignatureKind.WITHDRAWN)
    assert withdrawal.withdraws == original and withdrawal.is_intact
    assert Signature.objects.get(pk=original.pk).is_intact
    assert "You withdrew your signature on" in client.get(reverse("agreements:parent_home")).content.decode()
    # Withdrawing twice is refused.
    client.post(reverse("agreements:withdraw", args=[original.pk]), {"confirm": "on"})
    assert Signature.objects.filter(kind=SignatureKind.WITHDRAWN).count() == 1
    post_sign(client, cast, version)
    assert list(Signature.objects.order_by("sequence").values_list("sequence", "kind")) == [
        (0, "signed"),
        (1, "withdrawn"),
        (2, "signed"),
    ]


def test_withdrawing_needs_the_box_ticked(cast, client_for, version):
    signature = sign(cast, version)
    response = client_for(cast.parent).post(reverse("agreements:withdraw", args=[signature.pk]), {})
    assert "Tick the box to confirm." in response.content.decode()
    assert Signature.objects.count() == 1


def test_a_new_version_asks_everyone_again_and_keeps_old_signatures(
    cast, client_for, version, django_capture_on_commit_callbacks
):
    first = sign(cast, version)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.headteacher).post(
            reverse("agreements:version_publish", args=[_new_draft(cast).pk]),
            {"needs_resign": "resign", "change_note": "Version 2 adds the school's WhatsApp group."},
        )
    assert response.status_code == 302
    assert Signature.objects.filter(pk=first.pk).exists()
    page = client_for(cast.parent).get(reverse("agreements:parent_home")).content.decode()
    assert "Please sign again" in page and "WhatsApp group" in page
    asked = {tuple(m.to) for m in mail.outbox if "please sign" in m.subject.lower()}
    assert ("jo.parent@example.org",) in asked and ("sam.other@example.org",) in asked
    assert ("lee.elsewhere@example.org",) not in asked
    sign(cast, AgreementVersion.objects.current_for(cast.school.pk))
    assert Signature.objects.filter(parent=cast.parent).count() == 2


def _new_draft(cast):
    return actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)


def test_each_child_is_signed_for_separately(cast, version):
    second = make_pupil(cast.school, cast.school_class, first="Ned", last="Parent", parent=cast.parent)
    sign(cast, version)
    sign(cast, version, pupil=second)
    assert Signature.objects.filter(parent=cast.parent).count() == 2


def test_demo_flags_skip_the_emails_and_nothing_else(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
        version = actions.publish(draft, by=cast.headteacher, ask_parents=False)
        signature = sign(cast, version, send_copy=False)
    assert mail.outbox == []
    assert version.status == "published" and signature.is_intact
    assert not SignedCopy.objects.exists()


def test_the_signed_copy_fits_one_page_with_uk_and_utc_times(cast, version):
    from datetime import UTC

    from agreements import documents

    signature = sign(cast, version)
    reader = PdfReader(io.BytesIO(documents.render_signed_copy(signature)))
    text = reader.pages[-1].extract_text()
    assert len(reader.pages) == 1
    assert signature.signed_at.astimezone(UTC).strftime("%d/%m/%Y %H:%M:%S UTC") in text
    assert "server time" not in text and signature.content_hash[:16] in text.replace("\n", "")
