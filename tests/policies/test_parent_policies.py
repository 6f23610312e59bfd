"""Parents find the school's published policies from the menu and home page, and every page that
mentions a policy links to it."""

from __future__ import annotations

from django.urls import reverse

from .helpers import approved_policy, make_policy

POLICIES = reverse("policies:school_policies")


def test_a_parent_finds_the_published_policies_from_the_menu(cast, client_for):
    approved_policy(cast.school, cast.headteacher, title="Online safety policy")
    make_policy(cast.school, cast.headteacher, title="Draft uniform policy")  # a draft is not published
    approved_policy(cast.other_school, cast.other_headteacher, title="Hollins Vale behaviour policy")
    client = client_for(cast.parent)

    home = client.get(reverse("dashboard:home")).content.decode()
    assert f'href="{POLICIES}"' in home  # the menu entry and the panel's link
    assert "Online safety policy" in home

    response = client.get(POLICIES)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Online safety policy" in text and "approved" in text
    assert reverse("policies:public_pdf", args=["NBP", "online-safety-policy"]) in text
    assert "Draft uniform policy" not in text
    assert "Hollins Vale behaviour policy" not in text


def test_the_policies_page_reads_a_fixed_number_of_rows(cast, client_for, django_assert_max_num_queries):
    for number in range(8):
        approved_policy(cast.school, cast.headteacher, title=f"Policy number {number}")
    client = client_for(cast.parent)
    with django_assert_max_num_queries(8):
        assert client.get(POLICIES).status_code == 200


def test_the_complaint_form_links_the_complaints_policy_once_it_is_published(cast, client_for):
    client = client_for(cast.parent)
    text = client.get(reverse("complaints:raise")).content.decode()
    assert "complaints policy explains each stage" in text and '<a href="/policies/public' not in text

    version = approved_policy(
        cast.school, cast.headteacher, title="Concerns and complaints policy", category="complaints"
    )
    text = client.get(reverse("complaints:raise")).content.decode()
    assert f'href="{version.document.get_public_url()}"' in text


def test_only_people_with_a_second_factor_are_offered_recovery_codes(cast, client_for):
    parent = client_for(cast.parent)
    assert "Recovery codes" not in client_for(cast.staff).get(reverse("dashboard:home")).content.decode()
    parent = client_for(cast.parent)
    assert "Recovery codes" not in parent.get(reverse("dashboard:home")).content.decode()
    assert parent.get(reverse("accounts:recovery_codes")).status_code == 404
    assert parent.post(reverse("accounts:recovery_codes")).status_code == 404

    dsl = client_for(cast.dsl)  # a role that signs in with a second factor keeps its codes
    assert "Recovery codes" in dsl.get(reverse("dashboard:home")).content.decode()
    assert dsl.get(reverse("accounts:recovery_codes")).status_code == 200
