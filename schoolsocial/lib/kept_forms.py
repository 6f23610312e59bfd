"""An empty form's crispy markup, rendered once per process and kept.

The incident page draws five to ten forms (status, evidence, note, a new step, an outcome for each
step), each through crispy-forms' field templates: a quarter of the page's time, for markup that is
the same on every visit. `render_kept(form)` keys the markup on everything that shapes it: the form's
class and prefix, the language, and for every field its label, help text, flags, widget and widget
attributes, initial value and choices (so a school's own staff list or a step's own outcomes give
their own entry). A bound form (one with data or errors) is always rendered afresh, and so is a form
with a field whose widget the key does not describe: Django's own in `KNOWN_WIDGETS` (matched by
exact class, as a subclass may draw itself from other state), and the portal's widgets that set
`markup_follows_value = True` in their own class body.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.conf import settings
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language

KEEP_AT_MOST = 512
# Widgets whose markup follows from their class, attributes, value and choices alone.
KNOWN_WIDGETS = {
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.HiddenInput,
    forms.Textarea,
    forms.CheckboxInput,
    forms.Select,
    forms.SelectMultiple,
    forms.RadioSelect,
    forms.CheckboxSelectMultiple,
    forms.FileInput,
    forms.ClearableFileInput,
}

_kept: OrderedDict[Hashable, SafeString] = OrderedDict()
_lock = threading.Lock()


def _plain(value: Any) -> Hashable:
    """`value` as something hashable that compares by content (lazy strings as their text)."""
    if isinstance(value, Promise):
        # A lazy translation: its message and kind name its text in the language already in the key
        # (translating each label here cost more than the markup it saves).
        if hasattr(value, "_args"):
            return (type(value), _plain(value._args), _plain(getattr(value, "_kw", {})))
        return str(value)
    if isinstance(value, dict):
        return tuple((key, _plain(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted(map(str, value)))
    if isinstance(value, str | type(None)):
        return value
    if isinstance(value, int | float | bool):
        return (type(value), value)  # True, 1 and 1.0 are equal keys but not equal markup
    return (type(value).__qualname__, str(value))


def shape_of(form: forms.BaseForm) -> Hashable | None:
    """What the empty form's markup depends on, or None where it must be rendered afresh."""
    if form.is_bound or form.files or getattr(form, "_errors", None):  # errors added to an empty form by hand
        return None
    parts: list[object] = [
        type(form),
        form.prefix,
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
        get_language(),
    ]
    for name, field in form.fields.items():
        widget = field.widget
        if type(widget) not in KNOWN_WIDGETS and not vars(type(widget)).get("markup_follows_value"):
            return None
        value = form[name].value()
        if hasattr(value, "url"):  # a current file: its link may be signed and expire
            return None
        # The widget draws its own choices (a field's are copied to it, but may be set on it alone).
        choices = getattr(widget, "choices", None)
        if choices is not None:
            # Read once (iterated: list() would ask a model choice field for a COUNT), and handed
            # back to the widget, so that drawing the form does not query them a second time.
            choices = tuple(iter(choices))
            widget.choices = list(choices)
        # Whatever else is set on this widget (input_type, template names, format...).
        own = {key: item for key, item in vars(widget).items() if key not in ("choices", "_choices")}
        parts.append(
            (
                name,
                _plain(field.label),
                _plain(field.help_text),
                field.required,
                field.disabled,
                field.show_hidden_initial,
                field.localize,
                _plain(field.label_suffix),
                type(field),
                type(widget),
                _plain(own),
                _plain(value),
                _plain(choices),
            )
        )
    return tuple(parts)


def render_kept(form: forms.BaseForm) -> SafeString:
    """`form|crispy`, from the kept markup where this form's shape was rendered before."""
    shape = shape_of(form)
    if shape is None:
        return as_crispy_form(form)
    return keep(("crispy", shape), lambda: as_crispy_form(form))


def forget() -> None:
    with _lock:
        _kept.clear()


def keep(key: Hashable, render) -> SafeString:
    """`render()`'s markup, kept under `key` (a form's shape with whatever names the markup)."""
    if not getattr(settings, "KEEP_FORM_MARKUP", True):
        return render()
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
            return html
    html = render()
    with _lock:
        _kept[key] = html
        while len(_kept) > KEEP_AT_MOST:
            _kept.popitem(last=False)
    return html
