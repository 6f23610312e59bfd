"""The school's wording for each letter: plain text with a few named blanks, never HTML.

A headteacher writes `{{ child_name }}` where the child's name goes. Only the names in
PLACEHOLDERS are allowed and no other template syntax at all (no tags, filters or comments), so
the wording cannot reach anything beyond the facts handed to it. The filled-in text is plain text;
the letter's HTML escapes it when the PDF is made.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.template import Context, Template, TemplateSyntaxError
from django.template.base import TextNode, VariableNode

from .models import LetterKind

PLACEHOLDERS: dict[str, str] = {
    "recipient_name": "the person the letter is to",
    "salutation": "how the letter greets them: “Mr Da Silva” when their title is known, otherwise their full name",
    "child_name": "the child's name (or “your child”)",
    "school_name": "the school's name",
    "headteacher_name": "the headteacher's name",
    "platform": "where it was posted, for example Facebook",
    "posted_on": "when it was posted (or first seen)",
    "remove_by": "the date to remove the post by",
    "meeting_at": "the meeting's date and time",
    "incident_reference": "the school's reference for the incident",
    "policy_sentence": "the sentence naming the policy in force, its version and approval date",
    "agreement_sentence": "the sentence about the home-school agreement (blank if none)",
    "earlier_letter_sentence": "“I wrote to you on … about this post.”, only when an earlier letter about it was "
    "actually sent to them (blank otherwise)",
}


def placeholders_for(school) -> dict[str, str]:
    """The blanks as the wording page explains them to `school` (its own reference format)."""
    from incidents.actions import example_reference

    return {
        **PLACEHOLDERS,
        "incident_reference": f"the school's reference for the incident, for example {example_reference(school)}",
    }


PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
ANY_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


def check_wording(text: str) -> None:
    """Raise ValidationError if `text` uses anything but the allowed blanks."""
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            "These blanks are not available: %(names)s. Use only the blanks listed below the box.",
            params={"names": ", ".join("{{ " + name + " }}" for name in unknown)},
        )
    if ANY_SYNTAX.search(PLACEHOLDER.sub("", text)):
        raise ValidationError(MISUSED_BRACKETS)
    compile_wording(text)


MISUSED_BRACKETS = "Curly brackets and percent signs may only be used for the blanks listed below the box."


def compile_wording(text: str) -> Template:
    """The wording compiled exactly as `fill` renders it, or ValidationError.

    The checks above read the text with a pattern; this one asks the template engine itself, so
    what passes here can always be rendered (e.g. `{{{ child_name }}` passes the pattern but is
    a syntax error to the engine). The compiled template may hold only text and plain blanks."""
    try:
        template = Template(text)
    except TemplateSyntaxError as error:
        raise ValidationError(MISUSED_BRACKETS) from error
    for node in template.nodelist:
        if isinstance(node, TextNode):
            continue
        expression = getattr(node, "filter_expression", None)
        if (
            not isinstance(node, VariableNode)
            or expression is None
            or expression.filters
            or getattr(expression.var, "var", None) not in PLACEHOLDERS
        ):
            raise ValidationError(MISUSED_BRACKETS)
    return template


def fill(text: str, facts: dict) -> str:
    """The wording with its blanks filled from `facts`, as plain text. ValidationError if the
    wording cannot be used (see `check_wording`)."""
    check_wording(text)
    values = {name: str(facts.get(name) or "") for name in PLACEHOLDERS}
    # Plain text out: escaping happens once, when the letter's HTML is rendered.
    filled = str(compile_wording(text).render(Context(values, autoescape=False)))
    # A blank left empty ("quoted below. {{ earlier_letter_sentence }} The post") leaves no double space.
    single_spaced = re.sub(r"(?<=\S) {2,}(?=\S)", " ", filled)
    return re.sub(r"\n{3,}", "\n\n", single_spaced).strip()


DEFAULT_WORDING: dict[str, tuple[str, str]] = {
    LetterKind.REMOVAL_REQUEST: (
        "Please remove your post about the school",
        """Dear {{ salutation }},

I am writing about a post on {{ platform }} on {{ posted_on }}, quoted below. The school has a duty to protect pupils and staff, and this post is not the way to raise a concern with us.

{{ policy_sentence }} {{ agreement_sentence }}

Please remove the post, and any copies or replies you control, by {{ remove_by }}. If you have a concern about {{ child_name }} or about the school, I would like to hear it: please contact the school office and I will arrange a time to talk.

If the post is not removed by that date, the school will consider further steps under its policy, which may include a meeting, a written warning and, where the law has been broken, a referral to the police.

Our reference for this matter is {{ incident_reference }}.""",
    ),
    LetterKind.MEETING_INVITATION: (
        "Invitation to a meeting about a social media post",
        """Dear {{ salutation }},

I would like to meet you to talk about a post on {{ platform }} on {{ posted_on }}, quoted below, and about any concern that led to it.

I would like us to meet at the school on {{ meeting_at }}. If that is not possible for you, please contact the school office so that we can find another time. You are welcome to bring a friend or family member with you.

{{ policy_sentence }} {{ agreement_sentence }}

I hope that together we can resolve this in the interests of {{ child_name }} and the whole school community.

Our reference for this matter is {{ incident_reference }}.""",
    ),
    LetterKind.WRITTEN_WARNING: (
        "Written warning about a social media post",
        """Dear {{ salutation }},

I am writing about a post on {{ platform }} on {{ posted_on }}, quoted below. {{ earlier_letter_sentence }} The post is still online, and I am now writing to give you a formal written warning.

{{ policy_sentence }} {{ agreement_sentence }}

I ask you to remove the post, and any copies or replies you control, by {{ remove_by }}. If it is not removed, the school will take the next step set out in its policy. This may include restricting your access to the school site or its online groups, seeking legal advice, or referring the matter to the police where a post may be harassment, discriminatory or threatening.

The school's complaints procedure remains open to you if you have a concern about {{ child_name }} or about the school.

Our reference for this matter is {{ incident_reference }}.""",
    ),
    LetterKind.PREMISES_BAN: (
        "Restriction of your access to the school premises",
        """Dear {{ salutation }},

Following the post on {{ platform }} on {{ posted_on }}, quoted below, and the steps the school has already taken, I have decided to restrict your access to the school premises.

From the date of this letter you may not come onto the school site without the written agreement of the headteacher. Arrangements for {{ child_name }} to be brought to and collected from school will be agreed with you through the school office.

{{ policy_sentence }} {{ agreement_sentence }}

This decision will be reviewed. You may write to me, or to the chair of governors, with any representations you wish to make.

Our reference for this matter is {{ incident_reference }}.""",
    ),
    LetterKind.OUTCOME: (
        "The outcome of the school's review of a social media post",
        """Dear {{ salutation }},

I am writing to let you know the outcome of the school's review of the post on {{ platform }} on {{ posted_on }}.

[Write the outcome here.]

{{ policy_sentence }}

Thank you for your co-operation. If you have any concern about {{ child_name }} or about the school, please contact the school office.

Our reference for this matter is {{ incident_reference }}.""",
    ),
}
