"""A choice's label is kept per language: a Welsh reader never gets the English label kept for
an English one, nor the other way round."""

from django.utils import translation

from incidents.models import Nature, Status
from schoolsocial.lib.choices import choice_label


def test_the_label_follows_the_language_it_is_asked_in():
    with translation.override("en-gb"):
        assert choice_label(Status, Status.RESOLVED) == "Resolved"
    with translation.override("cy"):
        assert choice_label(Status, Status.RESOLVED) == "Wedi'i ddatrys"
    with translation.override("en-gb"):
        assert choice_label(Status, Status.RESOLVED) == "Resolved"


def test_an_unknown_value_is_shown_as_it_is_stored():
    assert choice_label(Nature, "retired-code") == "retired-code"
