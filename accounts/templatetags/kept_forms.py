"""Markup of empty forms kept between requests (schoolsocial/lib/kept_forms.py says what it is
keyed on):

- `{{ form|crispy_kept }}`: `form|crispy`.
- `{% keep_with form %}...{% endkeep %}`: the block, drawn once for each shape of `form`. The
  block may show only the form and what is the same on every request (labels, {% url %} of fixed
  pages); a bound form (a filtered list, a form sent back with errors) is always drawn afresh.
"""

import itertools

from django import template
from django.utils.safestring import SafeString, mark_safe

from schoolsocial.lib.kept_forms import keep, render_kept, shape_of

register = template.Library()
_blocks = itertools.count()


@register.filter
def crispy_kept(form) -> SafeString:
    return render_kept(form)


class KeepNode(template.Node):
    def __init__(self, form: template.base.FilterExpression, nodelist: template.NodeList, where: tuple):
        self.form, self.nodelist, self.where = form, nodelist, where

    def render(self, context) -> str:
        shape = shape_of(self.form.resolve(context))
        if shape is None:
            return self.nodelist.render(context)
        return keep((self.where, shape), lambda: mark_safe(self.nodelist.render(context)))  # noqa: S308


@register.tag
def keep_with(parser, token):
    try:
        _tag, form = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("keep_with takes one form: {% keep_with form %}") from None
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    # Each block parsed gets a key of its own: token.position is None unless templates debug, and
    # two blocks of one template (or two templates drawn from strings) must never share markup.
    where = (parser.origin.name if parser.origin else "", token.lineno, next(_blocks))
    return KeepNode(parser.compile_filter(form), nodelist, where)
