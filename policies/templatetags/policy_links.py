"""Link a page's mention of a policy to the school's published version of it.

`{% published_policy current_school "complaints" as policy %}` gives the current approved version
of that kind of policy, or None when the school has not published one (the page then names the
policy without a link).
"""

from __future__ import annotations

from django import template

from accounts.models import School
from policies import selectors
from policies.models import PolicyVersion

register = template.Library()


@register.simple_tag
def published_policy(school: School | None, category: str) -> PolicyVersion | None:
    if school is None:
        return None
    return selectors.published_policy(school, category)
