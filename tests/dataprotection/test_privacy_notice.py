"""Each school's privacy notice: public, its own words, linked from sign-in and every parent page."""

import pytest
from django.urls import reverse

from dataprotection.models import PrivacyNotice


def notice_url(school):
    return reverse("dataprotection:privacy_notice", args=[school.short_code])


EDIT = reverse("dataprotection:privacy_edit")
OUR_WORDS = (
    "Who we are:\n\nNorthbrook keeps reports of posts here.\n\nYour rights:\n\n"
    "Ask the office for a copy of what we hold. " + "We answer within a month. " * 8 + "<script>alert(1)</script>"
)


def test_default_notice_is_public_and_names_the_school(cast, client):
    response = client.get(notice_url(cast.school))
    assert response.status_code == 200
    text = response.content.decode()
    assert "How Northbrook Primary School uses your information" in text
    assert "one calendar month" in text
    assert "Information Commissioner" in text
    assert "<h2" in text  # "Who we are:" becomes a heading
    assert client.get(reverse("dataprotection:privacy_notice", args=["ZZZ"])).status_code == 404


def test_sign_in_page_links_to_the_notices(cast, client):
    sign_in = client.get(reverse("accounts:login")).content.decode()
    assert reverse("dataprotection:privacy_index") in sign_in
    index = client.get(reverse("dataprotection:privacy_index")).content.decode()
    assert notice_url(cast.school) in index and notice_url(cast.other_school) in index


@pytest.mark.parametrize(
    "page",
    [
        "dashboard:home",
        "incidents:report",
        "incidents:my_reports",
        "complaints:my_complaints",
        "agreements:parent_home",
    ],
)
def test_every_parent_page_links_to_their_schools_notice(cast, client_for, page):
    response = client_for(cast.parent).get(reverse(page))
    assert response.status_code == 200
    assert f'href="{notice_url(cast.school)}"' in response.content.decode()


def test_headteacher_writes_the_notice_and_every_version_is_kept(cast, client_for, client):
    head = client_for(cast.headteacher)
    form = head.get(EDIT)
    assert "one calendar month" in form.content.decode()  # starts from the default
    assert head.post(EDIT, {"body": OUR_WORDS}).status_code == 302
    assert head.post(EDIT, {"body": OUR_WORDS.replace("a month", "one month")}).status_code == 302
    notice = PrivacyNotice.objects.get(school=cast.school)
    assert notice.updated_by == cast.headteacher
    assert notice.history.count() == 2
    client.logout()
    public = client.get(notice_url(cast.school)).content.decode()
    assert "Northbrook keeps reports of posts here." in public
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in public and "<script>alert" not in public
    # The other school still shows its default.
    assert "Northbrook keeps reports" not in client.get(notice_url(cast.other_school)).content.decode()


def test_too_short_a_notice_is_refused_and_what_was_typed_is_kept(cast, client_for):
    response = client_for(cast.headteacher).post(EDIT, {"body": "We keep things."})
    assert response.status_code == 200
    text = response.content.decode()
    assert "too short" in text and "We keep things." in text
    assert not PrivacyNotice.objects.exists()


def test_the_dpo_may_write_it_too(cast, dpo, client_for):
    assert client_for(dpo).post(EDIT, {"body": OUR_WORDS}).status_code == 302
    assert PrivacyNotice.objects.get(school=cast.school).updated_by == dpo


@pytest.mark.parametrize("role", ["dsl", "staff", "governor", "office", "parent"])
def test_other_roles_cannot_change_it(cast, client_for, role):
    client = client_for(getattr(cast, role))
    assert client.get(EDIT).status_code == 404
    assert client.post(EDIT, {"body": OUR_WORDS}).status_code == 404
    assert not PrivacyNotice.objects.exists()
