"""The fast form renderer writes exactly what Django's widget templates write, escaping included."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from schoolsocial.lib.form_renderer import FastWidgetRenderer
from schoolsocial.lib.widgets import QuickSelect

HOSTILE = "\"><script>alert(1)</script>&amp;'x"

CHOICES = [("", "Pick one"), ("a", "Alpha"), ("b&", HOSTILE), (3, gettext_lazy("Three"))]
GROUPED = [("", "None"), ("Group <1>", [("g1", "One"), ("g2", "Two")]), ("loose", "Loose")]


class EveryWidget(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control", "placeholder": HOSTILE}))
    lazy = forms.CharField(widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Search")}))
    email = forms.EmailField()
    url = forms.URLField(assume_scheme="https")
    number = forms.IntegerField(min_value=0, max_value=9)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "max": datetime.date(2026, 12, 4)}))
    moment = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    time = forms.TimeField(widget=forms.TimeInput)
    flag = forms.BooleanField(required=False)
    file = forms.FileField(widget=forms.FileInput(attrs={"accept": "image/png,.pdf", "multiple": False}))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "disabled": True}))
    choice = forms.ChoiceField(choices=CHOICES)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=CHOICES)
    quick = forms.ChoiceField(choices=CHOICES, widget=QuickSelect(attrs={"class": "form-select"}))
    radio = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(choices=CHOICES[1:], widget=forms.CheckboxSelectMultiple)


BOUND = {
    "text": HOSTILE,
    "lazy": "x",
    "email": "a@b.example",
    "url": "https://x.example/?a=1&b=<2>",
    "number": "12",
    "password": HOSTILE,
    "hidden": mark_safe("<b>already safe</b>"),
    "date": "2026-02-30",
    "moment": "2026-12-04T09:30",
    "time": "9:30",
    "flag": "on",
    "notes": f"line one\n{HOSTILE}",
    "choice": "b&",
    "grouped": "g2",
    "many": ["a", "3"],
    "quick": "3",
    "radio": "a",
    "boxes": ["b&"],
}


def rendered(form: forms.Form, renderer) -> dict[str, str]:
    form.renderer = renderer
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("data", [None, BOUND, {"notes": "", "choice": "nope"}], ids=["unbound", "bound", "invalid"])
def test_every_widget_is_written_as_the_templates_write_it(data):
    fast = rendered(EveryWidget(data, initial={"text": "start", "flag": True}), FastWidgetRenderer())
    stock = rendered(EveryWidget(data, initial={"text": "start", "flag": True}), DjangoTemplates())
    assert fast == stock
    assert "<script>" not in "".join(fast.values())


def test_the_portal_uses_the_fast_renderer_and_it_escapes_what_a_user_typed(rf):
    from incidents.forms import NoteForm

    form = NoteForm({"text": HOSTILE})
    assert isinstance(form.renderer, FastWidgetRenderer)
    html = str(form["text"])
    assert html.startswith("<textarea") and "&lt;script&gt;" in html and "<script>" not in html


def test_a_widget_with_its_own_option_template_is_left_to_the_templates():
    class Fancy(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    field = forms.ChoiceField(choices=CHOICES, widget=Fancy)
    form = forms.Form()
    form.fields["x"] = field
    fast, stock = rendered(form, FastWidgetRenderer()), rendered(form, DjangoTemplates())
    assert fast == stock and "<label><input" in fast["x"]
