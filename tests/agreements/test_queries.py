"""`signature_status(parent, pupil)`: what incident pages and letters cite."""

import pytest

from agreements import actions
from agreements.queries import signature_status

from .conftest import CONTENT, DETAILS, sign

pytestmark = pytest.mark.django_db


def test_not_signed(cast, version):
    status = signature_status(cast.parent, cast.child)
    assert not status.has_signed and status.signature is None
    assert status.describe() == "has not signed the school's home-school social media agreement"


def test_signed_current_version(cast, version, django_assert_max_num_queries):
    signature = sign(cast, version)
    with django_assert_max_num_queries(2):
        status = signature_status(cast.parent, cast.child)
    assert status.signed_current and status.signature == signature
    assert status.version == version and status.signed_at == signature.signed_at
    text = status.describe()
    assert "version 1" in text and version.academic_year in text and "online" in text


def test_signed_an_older_version_only(cast, version):
    sign(cast, version)
    newer = actions.publish(
        actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT), by=cast.headteacher
    )
    status = signature_status(cast.parent, cast.child)
    assert status.has_signed and not status.signed_current
    assert f"has not yet signed the current version {newer.number}" in status.describe()


def test_withdrawn(cast, version):
    signature = sign(cast, version)
    actions.withdraw(signature=signature, parent=cast.parent, reason="", request_details=DETAILS)
    status = signature_status(cast.parent, cast.child)
    assert not status.has_signed and status.withdrawn is not None
    assert status.describe().startswith("withdrew")


def test_status_snippet_for_incident_pages(cast, version):
    from django.template.loader import render_to_string

    sign(cast, version)
    html = render_to_string("agreements/_signature_status.html", {"status": signature_status(cast.parent, cast.child)})
    assert "Agreement signed" in html and "version 1" in html
