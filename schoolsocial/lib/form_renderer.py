"""The form renderer: Django's, with the commonest widget templates written out in Python.

Every `<input>`, `<textarea>` and `<select>` Django draws goes through two or three small templates
(the widget, `input.html`, `attrs.html`, one more per option). On the incident list's filter bar and
the incident page's five forms that was a tenth of the page's time. `FastWidgetRenderer` writes the
same markup, byte for byte (tests/lib/test_form_renderer.py compares the two over every widget the
portal uses), with every name, value, label and attribute escaped as the templates escape them (`esc`).
Any other template (forms, errors, radio lists, file inputs with a current file) is rendered as
Django renders it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe

from .html import esc

WIDGETS = "django/forms/widgets/"
INPUT_KINDS: tuple[str, ...] = ("checkbox", "color", "date", "datetime", "email", "file", "hidden", "input")
INPUT_KINDS += ("number", "password", "search", "tel", "text", "time", "url")


def _attrs(attrs: Mapping[str, Any]) -> str:
    # attrs.html: `False` leaves the attribute out, `True` writes it bare.
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {esc(name)}")
        else:
            parts.append(f' {esc(name)}="{esc(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{esc(value)}"'
    kind, name = esc(widget["type"]), esc(widget["name"])
    return f'<input type="{kind}" name="{name}"{shown}{_attrs(widget["attrs"])}>'


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    text = esc(value) if value else ""
    return f'<textarea name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


def _option(option: Mapping[str, Any]) -> str:
    value, label = esc(option["value"]), esc(option["label"])
    return f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>\n'


def _select(widget: Mapping[str, Any]) -> str | None:
    parts = [f'<select name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{esc(group_name)}">')
        for option in group_choices:
            if option["template_name"] != WIDGETS + "select_option.html":
                return None  # a widget with its own option template: the templates know how
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


WRITERS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **{f"{WIDGETS}{kind}.html": _input for kind in INPUT_KINDS},
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
}


class FastWidgetRenderer(DjangoTemplates):
    """`DjangoTemplates`, with the input, textarea and select templates written in Python."""

    def render(self, template_name: str, context: dict, request=None) -> SafeString:
        writer = WRITERS.get(template_name)
        if writer is not None:
            written = writer(context["widget"])
            if written is not None:
                return mark_safe(written.strip())  # noqa: S308 - every part above is escaped
        return mark_safe(super().render(template_name, context, request))  # noqa: S308 - Django's own output
