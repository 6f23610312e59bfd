"""The incident list's filter bar: its dropdowns are written out in Python (QuickSelect), so they
must escape what a school typed (its own platform's name) and keep what the user chose."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from incidents.models import Platform
from schoolsocial.lib.widgets import QuickSelect


def test_a_school_platform_name_is_escaped_and_the_choice_kept(cast, client_for):
    own = Platform.objects.create(school=cast.school, name='<script>alert("x")</script> & Co')
    page = client_for(cast.headteacher).get(reverse("incidents:list"), {"platform": own.pk, "status": "open"})
    body = page.content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in body
    assert f'<option value="{own.pk}" selected>' in body
    assert '<option value="open" selected>Open</option>' in body


def test_quick_select_writes_what_the_stock_select_writes():
    choices = [("", "Any <status>"), ("open", 'Open "now" & later'), ("a", "A")]
    for value in ("open", None, "", "a"):
        stock = forms.Select(attrs={"class": "form-select"}, choices=choices).render("s", value, {"id": "id_s"})
        quick = QuickSelect(attrs={"class": "form-select"}, choices=choices).render("s", value, {"id": "id_s"})
        assert "".join(quick.split()) == "".join(stock.split())


def test_quick_select_matches_the_stock_select_for_a_school_platform_list(cast):
    own = Platform.objects.create(school=cast.school, name="Parents' forum")
    field = forms.ModelChoiceField(queryset=Platform.objects.visible_to(cast.school), empty_label="Any platform")
    for value in (None, own.pk, str(own.pk)):
        field.widget = forms.Select(attrs={"class": "form-select"})
        field.widget.choices = field.choices
        stock = field.widget.render("platform", value, {"id": "id_platform"})
        quick = QuickSelect(attrs={"class": "form-select"}, choices=field.choices).render(
            "platform", value, {"id": "id_platform"}
        )
        assert "".join(quick.split()) == "".join(stock.split())
        assert (f'<option value="{own.pk}" selected>' in quick) == (value is not None)
