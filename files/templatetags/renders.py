"""`{% if letter|render_needs_again %}`: the page offers "Make it again" (see files/renders.py)."""

from django import template

from files import renders

register = template.Library()


@register.filter
def render_needs_again(row) -> bool:
    return renders.needs_again(renders.job_for(row))
