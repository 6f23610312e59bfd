from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from policies import actions
from policies.models import Acknowledgement, Owner, PolicyDocument, PolicyVersion, Status

from .docx_builder import SAMPLE_BLOCKS, build_docx
from .helpers import approved_policy, make_policy


def test_headteacher_creates_a_policy_as_a_draft(cast, client_for):
    client = client_for(cast.headteacher)
    response = client.post(
        reverse("policies:create"),
        {
            "title": "Acceptable use policy",
            "category": "acceptable_use",
            "owner": "headteacher",
            "review_interval_months": 24,
            "staff_must_acknowledge": "on",
            "body_markdown": "# Acceptable use\n\nUse school devices for school work.",
            "change_summary": "First version.",
        },
    )
    version = PolicyVersion.objects.get(document__title="Acceptable use policy")
    assert response.status_code == 302 and response.url == version.get_absolute_url()
    assert version.status == Status.DRAFT and version.document.school == cast.school


def test_create_form_keeps_what_was_typed_when_something_is_missing(cast, client_for):
    client = client_for(cast.headteacher)
    response = client.post(
        reverse("policies:create"),
        {
            "title": "Half written",
            "category": "other",
            "owner": "headteacher",
            "review_interval_months": 12,
            "change_summary": "x",
        },
    )
    assert response.status_code == 200
    assert "Write the policy text here, or choose a file" in response.content.decode()
    assert 'value="Half written"' in response.content.decode()


def test_import_view_makes_a_new_draft_from_word(cast, client_for):
    version = approved_policy(cast.school, cast.headteacher)
    client = client_for(cast.headteacher)
    upload = SimpleUploadedFile("policy.docx", build_docx(SAMPLE_BLOCKS))
    response = client.post(
        reverse("policies:import", args=[version.document.pk]), {"upload": upload, "change_summary": "From Word"}
    )
    assert response.status_code == 302
    draft = version.document.versions.get(number=2)
    assert draft.status == Status.DRAFT and "<h2>Who this policy is for</h2>" in draft.body_html


def test_import_view_shows_a_clear_error_for_a_broken_file(cast, client_for):
    version = make_policy(cast.school, cast.headteacher)
    client = client_for(cast.headteacher)
    upload = SimpleUploadedFile("policy.docx", b"not really word")
    response = client.post(
        reverse("policies:import", args=[version.document.pk]), {"upload": upload, "change_summary": "x"}
    )
    assert response.status_code == 200
    assert "not a Word document, or it is damaged" in response.content.decode()


def test_approve_view_defaults_the_review_date_from_the_interval(cast, client_for):
    version = make_policy(cast.school, cast.headteacher, months=24)
    actions.submit_for_approval(version)
    client = client_for(cast.headteacher)
    url = reverse("policies:approve", args=[version.document.pk, 1])
    page = client.get(url).content.decode()
    expected = version.document.default_review_date(date.today()).isoformat()
    assert f'value="{expected}"' in page
    client.post(url, {"review_date": expected})
    version.refresh_from_db()
    assert version.status == Status.APPROVED and version.review_date.isoformat() == expected


def test_staff_cannot_open_drafts_or_manage_pages(cast, client_for):
    version = make_policy(cast.school, cast.headteacher)
    client = client_for(cast.staff)
    assert client.get(version.get_absolute_url()).status_code == 404
    assert client.get(reverse("policies:list")).status_code == 404
    assert client.get(reverse("policies:create")).status_code == 404


def test_other_schools_policies_are_404(cast, client_for):
    version = approved_policy(cast.school, cast.headteacher)
    client = client_for(cast.other_headteacher)
    assert client.get(version.document.get_absolute_url()).status_code == 404
    assert client.get(version.get_absolute_url()).status_code == 404
    assert client.get(reverse("policies:acknowledgements", args=[version.document.pk, 1])).status_code == 404


def test_staff_acknowledge_the_current_version(cast, client_for):
    version = approved_policy(cast.school, cast.headteacher)
    client = client_for(cast.staff)
    listing = client.get(reverse("policies:staff_list")).content.decode()
    assert "Please read" in listing
    client.post(reverse("policies:acknowledge", args=[version.document.pk, 1]))
    assert Acknowledgement.objects.filter(version=version, user=cast.staff).exists()
    assert "You acknowledged this version" in client.get(version.get_absolute_url()).content.decode()


def test_headteacher_sees_who_has_and_has_not_read_and_can_remind(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    version = approved_policy(cast.school, cast.headteacher)
    actions.acknowledge(version, by=cast.dsl)
    client = client_for(cast.headteacher)
    page = client.get(reverse("policies:acknowledgements", args=[version.document.pk, 1])).content.decode()
    assert "1 of 2 staff" in page and cast.staff.full_name in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("policies:remind", args=[version.document.pk, 1]))
    assert [m.to for m in mailoutbox if m.subject.startswith("Reminder")] == [[cast.staff.email]]


def test_compare_shows_changes_escaped(cast, client_for):
    version = approved_policy(cast.school, cast.headteacher, body="# Policy\n\nOld line\n\nSame line\n")
    draft = actions.start_draft(version.document, by=cast.headteacher, change_summary="x")
    actions.update_draft(draft, body_markdown="# Policy\n\nNew <b>line</b>\n\nSame line\n", change_summary="x")
    client = client_for(cast.governor)
    page = client.get(reverse("policies:compare", args=[version.document.pk]) + "?old=1&new=2").content.decode()
    assert "<del>Old</del>" in page and "<ins>New</ins>" in page
    assert "&lt;b&gt;line&lt;/b&gt;" in page and "<b>line</b>" not in page


def test_public_page_for_an_anonymous_visitor_shows_only_the_current_version(cast, client):
    first = approved_policy(cast.school, cast.headteacher, body="# Policy\n\nFirst words.\n")
    draft = actions.start_draft(first.document, by=cast.headteacher, change_summary="Second")
    actions.update_draft(draft, body_markdown="# Policy\n\nSecond words.\n", change_summary="Second")
    response = client.get(f"/policies/public/{cast.school.short_code}/{first.document.slug}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "First words." in page and "Second words." not in page
    assert first.review_date.strftime("%d/%m/%Y") in page
    assert client.get(f"/policies/public/{cast.school.short_code}/").status_code == 200
    assert client.get(f"/policies/public/{cast.other_school.short_code}/{first.document.slug}/").status_code == 404


def test_public_page_404s_before_approval(cast, client):
    version = make_policy(cast.school, cast.headteacher)
    assert client.get(version.document.get_public_url()).status_code == 404


def test_pdf_shows_preparing_until_ready_then_serves_the_file(cast, client, django_capture_on_commit_callbacks):
    version = approved_policy(cast.school, cast.headteacher)  # on-commit callbacks not run: no PDF yet
    url = reverse("policies:public_pdf", args=[cast.school.short_code, version.document.slug])
    # As if the task queued at approval was lost and its request has stood long enough.
    PolicyVersion.objects.filter(pk=version.pk).update(pdf_requested_at=timezone.now() - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        preparing = client.get(url)
    assert preparing.status_code == 202 and "being prepared" in preparing.content.decode()
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(
        page.extract_text() for page in PdfReader(__import__("io").BytesIO(b"".join(response.streaming_content))).pages
    )
    assert "Social media policy" in text and version.review_date.strftime("%d/%m/%Y") in text
    assert timezone.localtime(version.approved_at).strftime("%d/%m/%Y") in text  # the London date, not UTC


@pytest.mark.parametrize("size", [2, 12])
def test_management_list_has_a_constant_number_of_queries(cast, client_for, django_assert_max_num_queries, size):
    for n in range(size):
        version = approved_policy(
            cast.school, cast.headteacher, title=f"Policy {n}", review_date=date.today() + timedelta(days=10 + 40 * n)
        )
        actions.start_draft(version.document, by=cast.headteacher, change_summary="Next")
    client = client_for(cast.governor)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("policies:list")).content.decode()
    assert page.count("Review due soon") >= 1 and "Policy 0" in page


@pytest.mark.parametrize("size", [2, 12])
def test_staff_list_has_a_constant_number_of_queries(cast, client_for, django_assert_max_num_queries, size):
    for n in range(size):
        version = approved_policy(cast.school, cast.headteacher, title=f"Policy {n}")
        if n % 2:
            actions.acknowledge(version, by=cast.staff)
    client = client_for(cast.staff)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("policies:staff_list")).content.decode()
    assert page.count("Please read") == size - size // 2


@pytest.mark.parametrize("size", [1, 8])
def test_dashboard_panels_have_a_constant_number_of_queries(cast, rf, django_assert_num_queries, size):
    """The panels alone (the dashboard also shows other apps' panels, tested there)."""
    from django.template.loader import render_to_string

    from dashboard.panels import policies as panels

    for n in range(size):
        approved_policy(
            cast.school, cast.headteacher, title=f"Policy {n}", review_date=date.today() + timedelta(days=5)
        )
    request = rf.get("/")
    request.user = cast.headteacher
    with django_assert_num_queries(1):
        panel = panels.headteacher_panel(request, cast.school)
    assert f">{size}</span> due for review" in render_to_string(panel["template"], {"panel": panel})
    request.user = cast.staff
    with django_assert_num_queries(1):
        panel = panels.staff_panel(request, cast.school)
    assert f"You have {size} new polic" in render_to_string(panel["template"], {"panel": panel})
    with django_assert_num_queries(1):
        panel = panels.governor_panel(request, cast.school)
    assert "0 waiting for the governors" in render_to_string(panel["template"], {"panel": panel})


def test_governor_approves_governing_body_policy_through_the_page(cast, client_for):
    version = make_policy(cast.school, cast.headteacher, owner=Owner.GOVERNING_BODY)
    actions.submit_for_approval(version)
    head = client_for(cast.headteacher)
    assert "Waiting for approval by the governing body" in head.get(version.get_absolute_url()).content.decode()
    governor = client_for(cast.governor)
    url = reverse("policies:approve", args=[version.document.pk, 1])
    governor.get(version.get_absolute_url())
    governor.post(url, {"review_date": (date.today() + timedelta(days=300)).isoformat()})
    assert PolicyDocument.objects.get().versions.get().approved_by == cast.governor


def test_sending_a_draft_without_a_change_summary_says_what_to_do(cast, client_for):
    first = approved_policy(cast.school, cast.headteacher)
    client = client_for(cast.headteacher)
    response = client.post(reverse("policies:draft_start", args=[first.document.pk]))
    draft = first.document.versions.get(number=2)
    assert response.url == reverse("policies:draft_edit", args=[first.document.pk, 2])
    assert "not written yet" in client.get(draft.get_absolute_url()).content.decode()
    page = client.post(reverse("policies:submit", args=[first.document.pk, 2]), follow=True).content.decode()
    assert "Say what changed in this version before sending it for approval" in page
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    edit = client.post(
        reverse("policies:draft_edit", args=[first.document.pk, 2]),
        {"body_markdown": draft.body_markdown, "change_summary": ""},
    )
    assert "Say what changed in this version, in a sentence or two." in edit.content.decode()


def test_the_public_address_stays_the_same_when_the_title_is_reworded(cast, client, client_for):
    version = approved_policy(cast.school, cast.headteacher)
    address = version.document.get_public_url()
    client_for(cast.headteacher).post(
        reverse("policies:settings", args=[version.document.pk]),
        {
            "title": "Online conduct policy",
            "category": "social_media",
            "owner": "headteacher",
            "review_interval_months": 12,
        },
    )
    version.document.refresh_from_db()
    assert version.document.title == "Online conduct policy"
    assert (
        version.document.get_public_url()
        == address
        == f"/policies/public/{cast.school.short_code}/social-media-policy/"
    )
    assert "Online conduct policy" in client.get(address).content.decode()


def test_saving_a_draft_sent_for_approval_from_another_tab_changes_nothing(cast, client_for, monkeypatch):
    version = make_policy(cast.school, cast.headteacher)
    client = client_for(cast.headteacher)
    url = reverse("policies:draft_edit", args=[version.document.pk, 1])
    real_update = actions.update_draft

    def other_tab_first(draft, **fields):  # sent for approval between the page's check and the save
        actions.submit_for_approval(draft)
        return real_update(draft, **fields)

    monkeypatch.setattr(actions, "update_draft", other_tab_first)
    response = client.post(url, {"body_markdown": "Late edit", "change_summary": "Late"}, follow=True)
    assert response.status_code == 200 and "Nothing was changed." in response.content.decode()
    version.refresh_from_db()
    assert version.body_markdown != "Late edit" and version.status == Status.AWAITING_APPROVAL


def test_importing_a_word_bomb_explains_itself_and_stores_nothing(cast, client_for):
    version = approved_policy(cast.school, cast.headteacher)
    client = client_for(cast.headteacher)
    upload = SimpleUploadedFile("policy.docx", build_docx([("p", "x" * 20_000_000)]))
    response = client.post(
        reverse("policies:import", args=[version.document.pk]), {"upload": upload, "change_summary": "From Word"}
    )
    assert response.status_code == 200
    assert "far more text than a policy can" in response.content.decode()
    assert PolicyVersion.objects.filter(document=version.document).count() == 1


def test_importing_over_an_open_draft_asks_before_replacing_its_text(cast, client_for):
    version = approved_policy(cast.school, cast.headteacher)
    draft = actions.start_draft(version.document, by=cast.headteacher)
    actions.update_draft(draft, body_markdown="# My careful edits\n\nHalf a day of work.", change_summary="Edits")
    client = client_for(cast.headteacher)
    url = reverse("policies:import", args=[version.document.pk])
    assert "Draft version 2 is already open" in client.get(url).content.decode()

    upload = SimpleUploadedFile("policy.docx", build_docx(SAMPLE_BLOCKS))
    response = client.post(url, {"upload": upload, "change_summary": "From Word"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing has been replaced yet." in page and "“policy.docx”" in page
    assert "Who this policy is for" in page  # the imported text, ready to check
    draft.refresh_from_db()
    assert draft.body_markdown == "# My careful edits\n\nHalf a day of work."  # untouched until asked
    assert version.document.versions.count() == 2

    # Choosing to replace it saves the imported text into the same draft.
    edit_url = reverse("policies:draft_edit", args=[version.document.pk, draft.number])
    assert f'action="{edit_url}"' in page
    client.post(edit_url, {"body_markdown": "# Social Media Policy\n\nFrom Word.", "change_summary": "From Word"})
    draft.refresh_from_db()
    assert draft.body_markdown.startswith("# Social Media Policy")


def test_a_new_policy_with_typed_text_and_a_file_keeps_the_typed_text_and_asks(cast, client_for):
    client = client_for(cast.headteacher)
    typed = "# Mobile phones\n\nWhat I typed for an hour."
    response = client.post(
        reverse("policies:create"),
        {
            "title": "Mobile phones",
            "category": "other",
            "owner": "headteacher",
            "review_interval_months": 12,
            "body_markdown": typed,
            "upload": SimpleUploadedFile("policy.docx", build_docx(SAMPLE_BLOCKS)),
            "change_summary": "First version.",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "You have typed the policy text and chosen a file" in page
    assert "What I typed for an hour." in page
    assert not PolicyDocument.objects.filter(title="Mobile phones").exists()
