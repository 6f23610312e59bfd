"""One read, tick and type covers every child a parent has at the school; each child still gets
their own signature and fingerprint, and nobody can sign for a child of another family."""

import pytest
from django.urls import reverse

from agreements.models import Signature
from tests.factories import make_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_child(cast):
    return make_pupil(cast.school, cast.school_class, first="Ned", last="Parent", parent=cast.parent)


def post(client, version, children, **data):
    payload = {"version_id": version.pk, "children": children, "read": "on", "acknowledge": "on"}
    payload["typed_name"] = "Jo Parent"
    payload.update(data)
    return client.post(reverse("agreements:sign"), payload, REMOTE_ADDR="203.0.113.5")


def test_the_sign_page_lists_each_child_with_their_class_all_ticked(cast, client_for, version, second_child):
    page = client_for(cast.parent).get(reverse("agreements:sign")).content.decode()
    assert "I am signing for Mia Parent in Otters, and I am their parent or carer." in page
    assert "I am signing for Ned Parent in Otters, and I am their parent or carer." in page
    assert page.count('name="children"') == 2
    assert page.count("checked") >= 2
    assert cast.other_child.full_name not in page


def test_one_signature_covers_three_children_each_stored_and_hashed(cast, client_for, version, second_child):
    third = make_pupil(cast.school, None, first="Ola", last="Parent", parent=cast.parent)
    client = client_for(cast.parent)
    response = post(client, version, [cast.child.pk, second_child.pk, third.pk])
    assert response.status_code == 302
    signatures = {s.pupil_id: s for s in Signature.objects.filter(parent=cast.parent)}
    assert set(signatures) == {cast.child.pk, second_child.pk, third.pk}
    for pupil in (cast.child, second_child, third):
        signature = signatures[pupil.pk]
        assert signature.is_intact and signature.version == version
        assert signature.pupil_name == pupil.full_name
        assert pupil.full_name in signature.consents["child"]
        assert set(signature.consents) == {"read", "child", "acknowledge"}
        assert signature.text_signed == version.signed_text()
    assert len({s.content_hash for s in signatures.values()}) == 3
    assert signatures[third.pk].class_name == ""
    page = client.get(reverse("agreements:parent_home")).content.decode()
    assert "Not signed yet" not in page
    assert page.count("Download your signed copy") == 3


def test_a_child_can_be_left_for_later_and_signed_afterwards(cast, client_for, version, second_child):
    client = client_for(cast.parent)
    assert post(client, version, [second_child.pk]).status_code == 302
    assert list(Signature.objects.values_list("pupil_id", flat=True)) == [second_child.pk]
    page = client.get(reverse("agreements:sign")).content.decode()
    assert page.count('name="children"') == 1
    assert "Already signed:" in page and "Ned Parent" in page
    assert post(client, version, [cast.child.pk]).status_code == 302
    assert Signature.objects.filter(parent=cast.parent).count() == 2


def test_at_least_one_child_must_be_ticked(cast, client_for, version, second_child):
    response = post(client_for(cast.parent), version, [], typed_name="Jo Parent")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick at least one child to sign for." in page
    assert 'value="Jo Parent"' in page
    assert not Signature.objects.exists()


def test_a_double_submit_stores_one_set_of_signatures(cast, client_for, version, second_child):
    client = client_for(cast.parent)
    children = [cast.child.pk, second_child.pk]
    assert post(client, version, children).status_code == 302
    again = post(client, version, children)
    assert again.status_code == 302 and again.url == reverse("agreements:parent_home")
    assert Signature.objects.filter(parent=cast.parent).count() == 2


@pytest.mark.parametrize("intruder", ["other_child", "other_school_child"])
def test_a_tampered_post_naming_another_familys_child_signs_nothing(cast, client_for, version, second_child, intruder):
    other = getattr(cast, intruder)
    response = post(client_for(cast.parent), version, [cast.child.pk, other.pk])
    assert response.status_code == 400
    assert "You can only sign for your own children" in response.content.decode()
    assert not Signature.objects.exists()
    # Alone, too.
    assert post(client_for(cast.parent), version, [other.pk]).status_code == 400
    assert not Signature.objects.exists()


def test_the_action_refuses_a_child_of_another_family_and_stores_none(cast, version, second_child):
    from agreements import actions

    from .conftest import DETAILS

    with pytest.raises(actions.SigningRefused, match="linked to your account"):
        actions.sign_for_children(
            parent=cast.parent,
            pupils=[cast.child, cast.other_child],
            version_id=version.pk,
            typed_name="Jo Parent",
            ticked={"read", "acknowledge"},
            request_details=DETAILS,
        )
    assert not Signature.objects.exists()


def test_the_old_per_child_address_leads_to_the_family_page(cast, client_for, version):
    client = client_for(cast.parent)
    response = client.get(reverse("agreements:sign_child", args=[cast.child.pk]))
    assert response.status_code == 302 and response.url == reverse("agreements:sign")
    assert client.get(reverse("agreements:sign_child", args=[cast.other_child.pk])).status_code == 404
