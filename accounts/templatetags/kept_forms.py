"""`{{ form|crispy_kept }}`: `form|crispy`, with an empty form's markup kept between requests
(schoolsocial/lib/kept_forms.py says what the markup is keyed on)."""

from django import template
from django.utils.safestring import SafeString

from schoolsocial.lib.kept_forms import render_kept

register = template.Library()


@register.filter
def crispy_kept(form) -> SafeString:
    return render_kept(form)
