"""`esc` escapes exactly as Django's conditional_escape does."""

import pytest
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from schoolsocial.lib.html import esc


class HasHtml:
    def __html__(self):
        return "<b>mine</b>"


@pytest.mark.parametrize(
    "value",
    [
        "<script>\"x\" & 'y'</script>",
        "",
        "plain",
        42,
        None,
        3.5,
        mark_safe("<i>safe</i>"),
        gettext_lazy("Search"),
        HasHtml(),
    ],
)
def test_esc_matches_conditional_escape(value):
    assert esc(value) == str(conditional_escape(value))
    assert type(esc(value)) is str or isinstance(esc(value), str)
