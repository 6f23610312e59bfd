"""Two headteachers with the same agreement draft open: a stale edit or publish changes nothing and
says who saved what; a double click publishes once and asks parents once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements import actions
from agreements.models import AgreementVersion, VersionStatus
from agreements.years import current_academic_year
from tests.lib.stale_helpers import browser_for, second_headteacher

from .conftest import CONTENT

pytestmark = pytest.mark.django_db


def form(**overrides) -> dict:
    return {**CONTENT, "academic_year": current_academic_year(), **overrides}


def test_a_stale_edit_keeps_the_typed_words_and_shows_theirs(cast):
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    url = reverse("agreements:version_edit", args=[draft.pk])
    aisha, tom = browser_for(cast.headteacher), browser_for(second_headteacher(cast))
    seen = aisha.get(url).context["form"].initial["seen_version"]
    theirs = tom.get(url).context["form"].initial["seen_version"]
    assert tom.post(url, form(title="Tom's promise", seen_version=theirs)).status_code == 302

    response = aisha.post(url, form(title="Aisha's promise", seen_version=seen))
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by Tom Whitfield at" in body and "Tom&#x27;s promise" in body
    assert response.context["form"]["title"].value() == "Aisha's promise"
    assert AgreementVersion.objects.get(pk=draft.pk).title == "Tom's promise"

    fresh = form(title="Aisha's promise", seen_version=response.context["form"].data["seen_version"])
    assert aisha.post(url, fresh).status_code == 302
    assert aisha.post(url, fresh).status_code == 302
    assert AgreementVersion.objects.get(pk=draft.pk).history.filter(title="Aisha's promise").count() == 1


def test_publishing_a_draft_reworded_meanwhile_is_refused_and_a_double_click_publishes_once(
    cast, django_capture_on_commit_callbacks, mailoutbox
):
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    aisha, tom = browser_for(cast.headteacher), browser_for(second_headteacher(cast))
    seen = aisha.get(draft.get_absolute_url()).context["seen_version"]
    edit = reverse("agreements:version_edit", args=[draft.pk])
    tom.post(edit, form(title="Reworded", seen_version=tom.get(edit).context["form"].initial["seen_version"]))

    publish = reverse("agreements:version_publish", args=[draft.pk])
    response = aisha.post(publish, {"seen_version": seen})
    assert response.status_code == 409 and "changed by Tom Whitfield" in response.content.decode()
    assert AgreementVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT

    fresh = {"seen_version": response.context["seen_version"]}
    with django_capture_on_commit_callbacks(execute=True):
        first = aisha.post(publish, fresh)
        second = aisha.post(publish, fresh)
    assert first.status_code == second.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.title == "Reworded"
    assert draft.history.filter(status=VersionStatus.PUBLISHED).count() == 1
    assert len([m for m in mailoutbox if m.to == [cast.parent.email]]) == 1  # asked to sign once
