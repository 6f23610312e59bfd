"""Form widgets that render without a template per option.

Django renders a `<select>` through one template for the widget and one more for every option:
about 0.1 ms an option, so the incident list's filter bar spent a fifth of the page's time on its
dropdowns. `QuickSelect` builds the same markup in Python, every value and label escaped (`esc`).
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe

from .html import esc


class QuickSelect(forms.Select):
    """A `<select>` (no option groups) written out in Python; the same markup as `forms.Select`.
    It reads the choices itself rather than through `get_context`, which builds a dictionary of
    attributes for every option."""

    markup_follows_value = True  # schoolsocial/lib/kept_forms.py may keep its markup

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # a group: the stock widget knows how
                return super().render(name, value, attrs, renderer)
            text = "" if option_value is None else str(option_value)
            # As the stock widget: only the first option with the chosen value is marked.
            selected = text in chosen
            if selected:
                chosen.discard(text)
            options.append(f'<option value="{esc(text)}"{" selected" if selected else ""}>{esc(label)}</option>')
        final_attrs = self.build_attrs(self.attrs, attrs)
        return mark_safe(f'<select name="{esc(name)}"{flatatt(final_attrs)}>{"".join(options)}</select>')  # noqa: S308
