"""The parent's agreement page says one thing per child: which version they signed, whether it
still counts, and if not, why they are asked again (with the school's note). Constant queries."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agreements import actions
from tests.factories import make_pupil

from .conftest import CONTENT, DETAILS, sign

pytestmark = pytest.mark.django_db

WHATSAPP = "Version 2 adds the school's WhatsApp group; please read and sign again."
TYPO = "Version 2 corrects the spelling of the newsletter's name."


@pytest.fixture(autouse=True)
def _autumn_term():
    with time_machine.travel(datetime(2026, 10, 5, 9, 30, tzinfo=ZoneInfo("Europe/London")), tick=True):
        yield


def publish_next(cast, *, needs_resign, note):
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    return actions.publish(draft, by=cast.headteacher, needs_resign=needs_resign, change_note=note)


def parent_page(client_for, cast) -> str:
    response = client_for(cast.parent).get(reverse("agreements:parent_home"))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_before_signing_the_page_asks_once_for_every_child(cast, client_for, version):
    make_pupil(cast.school, cast.school_class, first="Ned", last="Parent", parent=cast.parent)
    page = parent_page(client_for, cast)
    assert page.count("Not signed yet") == 2
    assert "Read and sign for Mia and Ned" in page
    assert "One signature covers all your children" in page


def test_after_a_resign_version_it_says_which_version_was_signed_and_why_to_sign_again(cast, client_for, version):
    sign(cast, version)
    publish_next(cast, needs_resign=True, note=WHATSAPP)
    page = parent_page(client_for, cast)
    assert "Not signed yet" not in page
    assert "Please sign again" in page and "You signed version 1 on" in page
    assert "Version 2 changed the agreement, so the school asks every family to read it and sign again." in page
    assert "adds the school&#x27;s WhatsApp group" in page
    assert "Read and sign for Mia" in page
    assert "Download your signed copy" not in page.split("Your records")[0]
    assert "version 1 (" in page.split("Your records")[1]  # the history still shows what was signed


def test_after_a_correction_the_signature_still_counts_and_nothing_is_asked(cast, client_for, version):
    sign(cast, version)
    publish_next(cast, needs_resign=False, note=TYPO)
    page = parent_page(client_for, cast)
    assert "Not signed yet" not in page and "Please sign again" not in page
    assert "You signed version 1 on" in page
    assert "Version 2 only corrects it, so your signature still counts" in page
    assert "corrects the spelling of the newsletter" in page
    assert "Read and sign" not in page


def test_after_a_withdrawal_it_says_so_once(cast, client_for, version):
    signature = sign(cast, version)
    actions.withdraw(signature=signature, parent=cast.parent, reason="", request_details=DETAILS)
    page = parent_page(client_for, cast)
    assert "You withdrew your signature on" in page
    assert "Not signed yet" not in page and "Please sign again" not in page
    assert "Read and sign for Mia" in page


def test_the_sign_page_shows_what_changed(cast, client_for, version):
    sign(cast, version)
    publish_next(cast, needs_resign=True, note=WHATSAPP)
    page = client_for(cast.parent).get(reverse("agreements:sign")).content.decode()
    assert "What changed in version 2:" in page and "WhatsApp group" in page


@pytest.mark.parametrize("url", ["agreements:parent_home", "agreements:sign"])
def test_query_counts_do_not_grow_with_children_or_versions(
    cast, client_for, version, url, django_assert_max_num_queries
):
    client = client_for(cast.parent)
    client.get(reverse(url))  # the session is warm
    with django_assert_max_num_queries(QUERIES[url]):
        assert client.get(reverse(url)).status_code == 200
    for n in range(3):
        make_pupil(cast.school, cast.school_class, first=f"Kid{n}", last="Parent", parent=cast.parent)
    sign(cast, version)
    publish_next(cast, needs_resign=False, note=TYPO)
    with django_assert_max_num_queries(QUERIES[url]):
        assert client.get(reverse(url)).status_code == 200


# session, user, membership, the current version, the children, their records
QUERIES = {"agreements:parent_home": 6, "agreements:sign": 6}
