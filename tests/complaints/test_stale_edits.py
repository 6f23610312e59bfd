"""Two headteachers with the same complaint open: a stale stage move or handler change changes
nothing and says who saved what, the person's words kept; a double click moves it once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import Complaint, ComplaintEntry, EntryKind, Stage
from tests.lib.stale_helpers import browser_for, second_headteacher

from .conftest import raise_complaint

pytestmark = pytest.mark.django_db


def opened(client, complaint, form: str) -> int:
    return client.get(reverse("complaints:detail", args=[complaint.pk])).context[form].initial["seen_version"]


def test_a_stage_move_after_someone_else_changed_the_complaint_is_refused_with_their_change(cast):
    complaint = raise_complaint(cast)
    aisha, tom = browser_for(cast.headteacher), browser_for(second_headteacher(cast))
    seen = opened(aisha, complaint, "stage_form")
    # Tom gives the informal stage to the class teacher while Aisha has the page open.
    handler = {"handler": cast.staff.pk, "seen_version": opened(tom, complaint, "handler_form")}
    assert tom.post(reverse("complaints:assign_handler", args=[complaint.pk]), handler).status_code == 302

    mine = {"stage": Stage.FORMAL, "reason": "It needs a formal look.", "seen_version": seen}
    response = aisha.post(reverse("complaints:stage", args=[complaint.pk]), mine)
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by Tom Whitfield at" in body and cast.staff.full_name in body
    assert response.context["stage_form"]["reason"].value() == "It needs a formal look."
    assert Complaint.objects.get(pk=complaint.pk).stage == Stage.INFORMAL

    again = {**mine, "seen_version": response.context["stage_form"].data["seen_version"]}
    first = aisha.post(reverse("complaints:stage", args=[complaint.pk]), again)
    second = aisha.post(reverse("complaints:stage", args=[complaint.pk]), again)  # a double click
    assert first.status_code == second.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).stage == Stage.FORMAL
    assert ComplaintEntry.objects.filter(complaint=complaint, kind=EntryKind.STAGE).count() == 1


def test_a_stale_handler_change_is_refused_and_a_double_submit_changes_nothing(cast):
    complaint = raise_complaint(cast)
    aisha, tom = browser_for(cast.headteacher), browser_for(second_headteacher(cast))
    seen = opened(aisha, complaint, "handler_form")
    link = {"reference": "", "seen_version": opened(tom, complaint, "link_form")}
    tom.post(reverse("complaints:assign_handler", args=[complaint.pk]), {"handler": cast.dsl.pk, **link})

    url = reverse("complaints:assign_handler", args=[complaint.pk])
    response = aisha.post(url, {"handler": cast.staff.pk, "seen_version": seen})
    assert response.status_code == 409 and "changed by Tom Whitfield" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).informal_handler == cast.dsl

    fresh = {"handler": cast.staff.pk, "seen_version": response.context["handler_form"].data["seen_version"]}
    assert aisha.post(url, fresh).status_code == 302
    assert aisha.post(url, fresh).status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).informal_handler == cast.staff
    assert ComplaintEntry.objects.filter(complaint=complaint, summary__contains=cast.staff.full_name).count() == 1
