"""The header on every page (language buttons, the menus, the person's own menu), written in Python.

As templates, the header's loops and conditions were half of a small page's rendering time, on
every page of the portal. The markup is the same as the template's was; every value is escaped.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from schoolsocial.lib.html import esc

register = template.Library()


def _csrf(context) -> str:
    # The page's one token (as {% csrf_token %} reads it), not a fresh mask for each form.
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(token)}">'


@register.simple_tag(takes_context=True)
def language_menu(context) -> SafeString:
    """One POST form with a button per other language, each named in its own language: works
    without JavaScript, protected by CSRF."""
    request = context.get("request")  # none on a page drawn outside a request (the 413 page)
    current = get_language()
    buttons = "".join(
        f'\n  <button class="btn btn-sm btn-outline-light" type="submit" name="language" value="{esc(code)}" '
        + ('lang="cy">Cymraeg' if code == "cy" else 'lang="en-GB">English')
        + "</button>\n  "
        for code, _name in settings.LANGUAGES
        if code != current
    )
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<form class="language-menu ms-auto me-2 order-lg-last" method="post" action="{esc(reverse("accounts:set_language"))}">\n'
        f"  {_csrf(context)}\n"
        f'  <input type="hidden" name="next" value="{esc(request.get_full_path() if request else "")}">\n'
        f'  <span class="visually-hidden">{esc(gettext("Language"))}</span>\n'
        f"  {buttons}\n</form>"
    )


def _link(item: dict, path: str, css: str) -> str:
    here = path == item["url"]
    active = " active" if here else ""
    current = 'aria-current="page"' if here else ""
    return f'<a class="{css}{active}" {current} href="{esc(item["url"])}">{esc(item["label"])}</a>'


@register.simple_tag(takes_context=True)
def main_menu(context) -> SafeString:
    """The collapsible menu: the role's pages, the school switcher (for someone with more than one
    membership), the school settings menu and the person's own menu."""
    request, user = context["request"], context["user"]
    path = request.path
    membership = context.get("current_membership")
    parts = ['<div class="collapse navbar-collapse" id="main-nav">\n          <ul class="navbar-nav me-auto">']
    for item in context.get("nav_items") or ():
        parts.append(f'<li class="nav-item">{_link(item, path, "nav-link")}</li>')
    parts.append('</ul>\n          <ul class="navbar-nav">')
    memberships = user.active_memberships
    if len(memberships) > 1:
        role = membership.role_label if membership else ""
        buttons = "".join(
            f'<button class="dropdown-item{" active" if membership and m.pk == membership.pk else ""}" '
            f'name="membership" value="{m.pk}">{esc(m.role_label)} · {esc(m.school.name)}</button>'
            for m in memberships
        )
        parts.append(
            '<li class="nav-item dropdown">'
            '<button class="nav-link dropdown-toggle btn btn-link" data-bs-toggle="dropdown" aria-expanded="false">'
            f"{esc(gettext('Acting as %(role)s') % {'role': role})}</button>"
            '<div class="dropdown-menu dropdown-menu-end p-2">'
            f'<form method="post" action="{esc(reverse("accounts:switch_school"))}">{_csrf(context)}{buttons}</form>'
            "</div></li>"
        )
    settings_items = context.get("settings_nav_items") or ()
    if settings_items:
        active = " active" if any(path == item["url"] for item in settings_items) else ""
        links = "".join(_link(item, path, "dropdown-item") for item in settings_items)
        parts.append(
            '<li class="nav-item dropdown">'
            f'<button class="nav-link dropdown-toggle btn btn-link{active}" data-bs-toggle="dropdown" aria-expanded="false">School</button>'
            f'<div class="dropdown-menu dropdown-menu-end">{links}</div></li>'
        )
    recovery = (
        f'<a class="dropdown-item" href="{esc(reverse("accounts:recovery_codes"))}">Recovery codes</a>'
        if user.requires_two_factor
        else ""
    )
    parts.append(
        '<li class="nav-item dropdown">'
        f'<button class="nav-link dropdown-toggle btn btn-link" data-bs-toggle="dropdown" aria-expanded="false">{esc(user.full_name)}</button>'
        '<div class="dropdown-menu dropdown-menu-end">'
        f'<a class="dropdown-item" href="{esc(reverse("accounts:passkeys"))}">Passkeys</a>{recovery}'
        f'<form method="post" action="{esc(reverse("accounts:logout"))}">{_csrf(context)}'
        f'<button class="dropdown-item">{esc(gettext("Sign out"))}</button></form>'
        "</div></li></ul>\n        </div>"
    )
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped
