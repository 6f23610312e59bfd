"""The headteacher drafts, approves and publishes agreement versions through the pages; the office
reads them; a published version's wording is fixed whatever the request says."""

import pytest
from django.urls import reverse

from agreements.models import AgreementVersion, VersionStatus
from agreements.years import current_academic_year

from .conftest import CONTENT

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    return {**CONTENT, "academic_year": current_academic_year(), **overrides}


def test_headteacher_drafts_then_approves_and_publishes(cast, client_for, django_capture_on_commit_callbacks):
    client = client_for(cast.headteacher)
    response = client.post(reverse("agreements:version_create"), form_data())
    draft = AgreementVersion.objects.get()
    assert response.url == draft.get_absolute_url()
    assert (draft.number, draft.status, draft.created_by) == (1, VersionStatus.DRAFT, cast.headteacher)
    client.post(reverse("agreements:version_edit", args=[draft.pk]), form_data(title="Our online promise"))
    assert AgreementVersion.objects.get().title == "Our online promise"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agreements:version_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.approved_by == cast.headteacher
    assert draft.published_at is not None
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Approved by Aisha Head" in page or f"Approved by {cast.headteacher.full_name}" in page
    assert "Approve and publish" not in page


def test_a_published_version_cannot_be_edited_or_published_again(cast, client_for):
    client = client_for(cast.headteacher)
    client.post(reverse("agreements:version_create"), form_data())
    version = AgreementVersion.objects.get()
    client.post(reverse("agreements:version_publish", args=[version.pk]))
    response = client.post(
        reverse("agreements:version_edit", args=[version.pk]), form_data(title="Changed"), follow=True
    )
    assert "its wording cannot change" in response.content.decode()
    again = client.post(reverse("agreements:version_publish", args=[version.pk]), follow=True)
    assert "This version is already published." in again.content.decode()
    version.refresh_from_db()
    assert version.title == CONTENT["title"] and version.status == VersionStatus.PUBLISHED


def test_the_next_draft_starts_from_the_latest_wording(cast, client_for):
    client = client_for(cast.headteacher)
    client.post(reverse("agreements:version_create"), form_data(title="Our online promise"))
    page = client.get(reverse("agreements:version_create")).content.decode()
    assert 'value="Our online promise"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("academic_year", "2025-2026", "Write the school year as two years, for example 2025/26."),
        ("academic_year", "2025/27", "Write the school year as two years, for example 2025/26."),
        ("will_commitments", "  \n ", "Add at least one commitment, one per line."),
        ("channels", "", "Add at least one channel, one per line."),
        ("title", " ", "Give the agreement a title."),
    ],
)
def test_bad_wording_is_refused_beside_the_field_and_nothing_is_saved(cast, client_for, field, value, message):
    response = client_for(cast.headteacher).post(reverse("agreements:version_create"), form_data(**{field: value}))
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert CONTENT["introduction"] in page  # what was typed is kept
    assert not AgreementVersion.objects.exists()


def test_only_the_headteacher_of_the_school_drafts_and_publishes(cast, client_for):
    client_for(cast.headteacher).post(reverse("agreements:version_create"), form_data())
    draft = AgreementVersion.objects.get()
    for user in (cast.office, cast.staff, cast.governor, cast.parent, cast.other_headteacher):
        client = client_for(user)
        if user != cast.other_headteacher:  # who drafts for their own school
            assert client.post(reverse("agreements:version_create"), form_data()).status_code == 404, user
        assert client.post(reverse("agreements:version_publish", args=[draft.pk])).status_code == 404, user
        assert client.post(reverse("agreements:version_edit", args=[draft.pk]), form_data()).status_code == 404, user
    assert client_for(cast.office).get(draft.get_absolute_url()).status_code == 200  # the office may read it
    assert AgreementVersion.objects.get(school=cast.school).status == VersionStatus.DRAFT
    assert AgreementVersion.objects.filter(school=cast.school).count() == 1


def test_saving_a_draft_that_was_published_meanwhile_changes_nothing(cast, client_for, monkeypatch):
    from agreements import actions, views

    client = client_for(cast.headteacher)
    client.post(reverse("agreements:version_create"), form_data())
    version = AgreementVersion.objects.get()
    real_update = actions.update_draft

    def publish_first(draft, **content):  # another tab publishes between the page check and the save
        actions.publish(AgreementVersion.objects.get(pk=draft.pk), by=cast.headteacher, ask_parents=False)
        return real_update(draft, **content)

    monkeypatch.setattr(views.actions, "update_draft", publish_first)
    response = client.post(reverse("agreements:version_edit", args=[version.pk]), form_data(title="Late"), follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert AgreementVersion.objects.get().title == CONTENT["title"]
