"""Policy text is written in Markdown and shown as HTML through a sanitiser.

Two locks, so no script and no raw HTML ever reaches a page or a PDF:
1. Markdown's raw-HTML handling is switched off, so `<script>` typed into a policy stays text;
2. the HTML Markdown produces is cleaned by nh3 against a short allow-list of tags, attributes
   and URL schemes (a `javascript:` link loses its href).
"""

from __future__ import annotations

import markdown
import nh3

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i",
    "blockquote", "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td", "abbr", "sup", "sub", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["tables", "sane_lists", "def_list", "abbr"], output_format="html")
    # No raw HTML: an HTML block or inline tag is shown as the text that was typed.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown in, safe HTML out."""
    return sanitise_html(_markdown().convert(text or ""))
