"""What any request meets before a view: a cap on its size, and the portal's own 404 page."""

from __future__ import annotations

import pytest
from django.conf import settings as project_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_request_larger_than_the_cap_is_refused_unread_with_a_clear_page(cast, client_for):
    client = client_for(cast.parent)
    too_big = project_settings.MAX_REQUEST_BYTES + 1
    response = client.post(reverse("incidents:report"), {"content": "x"}, CONTENT_LENGTH=str(too_big))
    assert response.status_code == 413
    page = response.content.decode()
    assert "That was too much to send at once" in page and "64 MB" in page


def test_the_upload_settings_are_bounded():
    assert project_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert project_settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 20
    assert project_settings.MAX_UPLOAD_BYTES < project_settings.MAX_REQUEST_BYTES <= 100 * 1024 * 1024


@pytest.mark.parametrize("path", ["/no-such-page/", "/incidents/999999/"])
def test_in_development_a_missing_page_is_the_portals_own_404(cast, client_for, settings, path):
    settings.DEBUG = True  # the embedded default (make run)
    response = client_for(cast.headteacher).get(path)
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert "URLconf" not in page and "accounts/" not in page  # no list of the portal's addresses


def test_a_missing_slash_is_still_added_in_development(cast, client_for, settings):
    settings.DEBUG = True
    response = client_for(cast.headteacher).get("/incidents")
    assert response.status_code == 301 and response.url == "/incidents/"
