"""An empty form's kept markup is exactly what crispy would draw now, for every shape the incident
page shows; anything that changes the markup gives its own entry, and bound forms are never kept."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from incidents import actions
from incidents.forms import NoteForm, OutcomeForm, StatusForm, StepForm
from incidents.models import Status, StepKind
from schoolsocial.lib import kept_forms
from tests.factories import make_user, triaged

CSRF = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">')


@pytest.fixture(autouse=True)
def _nothing_kept():
    kept_forms.forget()
    yield
    kept_forms.forget()


def page_of(client, incident) -> str:
    return CSRF.sub("", client.get(reverse("incidents:detail", args=[incident.pk])).content.decode())


def test_the_incident_page_is_the_same_with_kept_forms_as_without(cast, client_for, file_report, settings):
    incident = triaged(file_report(), cast)
    for kind in (StepKind.PLATFORM_REPORT, StepKind.HEADTEACHER_MEETING, StepKind.WRITTEN_WARNING):
        actions.add_step(incident=incident, by=cast.headteacher, kind=kind)
    client = client_for(cast.headteacher)
    settings.KEEP_FORM_MARKUP = False
    fresh = page_of(client, incident)
    settings.KEEP_FORM_MARKUP = True
    assert page_of(client, incident) == fresh  # drawn and kept
    kept = len(kept_forms._kept)
    assert page_of(client, incident) == fresh  # from what was kept
    assert len(kept_forms._kept) == kept >= 5  # every form read back, none drawn again

    # A new member of staff is a new owner to choose: the step form is drawn again, with them in it.
    make_user(cast.school, "staff", name="Newly Arrived")
    assert "Newly Arrived" in page_of(client, incident)
    # A new status offers other transitions: the status form follows it.
    actions.change_status(incident=incident, by=cast.headteacher, status=Status.RESOLVED, reason="Sorted")
    page = page_of(client, incident)
    settings.KEEP_FORM_MARKUP = False
    assert page == page_of(client, incident)


def test_what_changes_the_markup_changes_the_key(cast, file_report):
    incident = file_report()
    outcome = OutcomeForm(step_kind=StepKind.PLATFORM_REPORT, prefix="step1")
    assert kept_forms.shape_of(outcome) != kept_forms.shape_of(
        OutcomeForm(step_kind=StepKind.HEADTEACHER_MEETING, prefix="step1")
    )
    assert kept_forms.shape_of(outcome) != kept_forms.shape_of(
        OutcomeForm(step_kind=StepKind.PLATFORM_REPORT, prefix="step2")
    )
    chosen = OutcomeForm(step_kind=StepKind.PLATFORM_REPORT, prefix="step1", initial={"outcome": "reported"})
    assert kept_forms.shape_of(outcome) != kept_forms.shape_of(chosen)
    assert kept_forms.shape_of(StepForm(school=cast.school)) != kept_forms.shape_of(StepForm(school=cast.other_school))
    with translation.override("cy"):
        welsh = kept_forms.shape_of(NoteForm())
    assert welsh != kept_forms.shape_of(NoteForm())
    assert kept_forms.shape_of(StatusForm(incident=incident)) == kept_forms.shape_of(StatusForm(incident=incident))


def test_a_bound_form_is_drawn_afresh_with_what_was_typed_and_its_errors(cast):
    kept_forms.render_kept(NoteForm())
    typed = NoteForm({"text": "<b>typed</b>"})
    assert kept_forms.shape_of(typed) is None
    html = kept_forms.render_kept(typed)
    assert "&lt;b&gt;typed&lt;/b&gt;" in html
    empty = NoteForm({"text": ""})
    assert "Write the note first." in kept_forms.render_kept(empty)
    assert "Write the note first." not in kept_forms.render_kept(NoteForm())


def test_kept_markup_equals_a_fresh_render_and_the_store_stays_bounded(cast, monkeypatch):
    form = StepForm(school=cast.school)
    assert kept_forms.render_kept(form) == kept_forms.as_crispy_form(StepForm(school=cast.school))
    monkeypatch.setattr(kept_forms, "KEEP_AT_MOST", 3)
    for number in range(10):
        kept_forms.render_kept(OutcomeForm(step_kind=StepKind.PLATFORM_REPORT, prefix=f"step{number}"))
    assert len(kept_forms._kept) == 3


def test_a_widget_the_key_does_not_describe_is_never_kept():
    from django import forms

    class Drawn(forms.TextInput):  # a subclass might draw itself from anything
        pass

    class Odd(forms.Form):
        name = forms.CharField(widget=Drawn)

    assert kept_forms.shape_of(Odd()) is None


def test_the_incident_list_filter_bar_is_kept_only_while_nothing_is_filtered(cast, client_for, file_report, settings):
    from incidents.models import Platform

    file_report()
    client = client_for(cast.headteacher)
    url = reverse("incidents:list")
    for query in ({}, {"q": "<b>lunch</b>", "overdue": "on"}, {"status": "nonsense"}):
        settings.KEEP_FORM_MARKUP = False
        fresh = CSRF.sub("", client.get(url, query).content.decode())
        settings.KEEP_FORM_MARKUP = True
        assert CSRF.sub("", client.get(url, query).content.decode()) == fresh
        assert CSRF.sub("", client.get(url, query).content.decode()) == fresh
    kept_forms.forget()
    client.get(url)
    client.get(url)
    assert len(kept_forms._kept) == 1  # the empty bar, drawn once and then read back
    filtered = client.get(url, {"q": "<b>lunch</b>"}).content.decode()
    assert 'value="&lt;b&gt;lunch&lt;/b&gt;"' in filtered and "Clear filters" in filtered
    assert "Clear filters" not in client.get(url).content.decode()
    # The school adds its own platform: the bar offers it at once.
    Platform.objects.create(school=cast.school, name="Parents' <WhatsApp> group")
    assert "Parents&#x27; &lt;WhatsApp&gt; group" in client.get(url).content.decode()


def test_shapes_that_only_look_alike_are_kept_apart():
    from django import forms

    class Flag(forms.Form):
        number = forms.CharField(required=False)

    assert kept_forms.shape_of(Flag(initial={"number": True})) != kept_forms.shape_of(Flag(initial={"number": 1}))

    class Pick(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "Alpha")])

    drawn = Pick()
    drawn.fields["choice"].widget.choices = [("a", "Another label")]  # set on the widget alone
    assert kept_forms.shape_of(drawn) != kept_forms.shape_of(Pick())
    typed = Pick()
    typed.fields["choice"].widget.input_type = "radio"
    assert kept_forms.shape_of(typed) != kept_forms.shape_of(Pick())

    marked = Pick()
    marked.cleaned_data = {}
    marked.add_error("choice", "Chosen by hand")
    assert kept_forms.shape_of(marked) is None
    assert "Chosen by hand" not in kept_forms.render_kept(Pick())


def test_two_kept_blocks_never_share_markup_with_template_debug_off(cast):
    from django.template import engines

    engine = engines["django"].engine
    debug = engine.debug
    engine.debug = False  # tokens then carry no position
    try:
        page = engine.from_string(
            "{% load kept_forms %}{% keep_with form %}A{% endkeep %}|{% keep_with form %}B{% endkeep %}"
        )
        from django.template import Context

        assert page.render(Context({"form": NoteForm()})) == "A|B"
        other = engine.from_string("{% load kept_forms %}{% keep_with form %}C{% endkeep %}")
        assert other.render(Context({"form": NoteForm()})) == "C"
    finally:
        engine.debug = debug


def test_a_page_asks_the_database_the_same_whether_its_forms_were_kept_or_not(cast, client_for, file_report):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    incident = triaged(file_report(), cast)
    client = client_for(cast.headteacher)
    url = reverse("incidents:detail", args=[incident.pk])
    counts = []
    for _ in range(3):  # drawn, then read back twice
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
