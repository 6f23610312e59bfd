"""The navigation each role needs, as plain data. Each app adds its own entries here.

An entry whose URL name does not exist (yet) is left out, so a half-built app never breaks a page.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_noop as N_

from .models import Role

NAVIGATION: dict[Role, list[tuple[str, str]]] = {
    Role.HEADTEACHER: [
        ("Dashboard", "dashboard:home"),
        ("Incidents", "incidents:list"),
        ("Complaints", "complaints:list"),
        ("Policies", "policies:list"),
        ("Agreements", "agreements:coverage"),
        ("Pupils", "accounts:pupil_list"),
    ],
    Role.DSL: [
        ("Home", "dashboard:home"),
        ("Incidents", "incidents:list"),
        ("Cluster alerts", "cluster_alerts:list"),
        ("Complaints assigned to me", "complaints:assigned"),
        ("Policies", "policies:staff_list"),
    ],
    Role.STAFF: [
        ("Home", "dashboard:home"),
        ("Report a post", "incidents:report"),
        ("My reports", "incidents:my_reports"),
        ("Complaints assigned to me", "complaints:assigned"),
        ("Policies", "policies:staff_list"),
    ],
    Role.GOVERNOR: [
        ("Home", "dashboard:home"),
        ("Complaints", "complaints:governor_list"),
        ("Statistics", "complaints:statistics"),
        ("Policies", "policies:list"),
    ],
    Role.OFFICE: [
        ("Home", "dashboard:home"),
        ("Pupils", "accounts:pupil_list"),
        ("Classes", "accounts:class_list"),
        ("Import from MIS", "accounts:roll_import_list"),
        ("Invitations", "accounts:invitation_list"),
        ("Staff and governors", "accounts:people_list"),
        ("Agreements", "agreements:coverage"),
        ("Email delivery", "notifications:list"),
    ],
    Role.DPO: [
        ("Home", "dashboard:home"),
        ("Access log", "dataprotection:access_log"),
        ("Audit history", "dataprotection:history"),
        ("Retention review", "dataprotection:review_list"),
        ("Requests", "dataprotection:sar_register"),
        ("Destruction log", "dataprotection:destruction_log"),
    ],
    Role.PARENT: [
        (N_("Home"), "dashboard:home"),
        (N_("Report a post"), "incidents:report"),
        (N_("My reports"), "incidents:my_reports"),
        (N_("Concerns and complaints"), "complaints:my_complaints"),
        (N_("Agreement"), "agreements:parent_home"),
        (N_("School policies"), "policies:school_policies"),
    ],
}

# Pages a role visits now and then (setting the school up, the cluster's alerts, which also
# reach the dashboard): a "School" menu, so the main bar stays on one line.
SETTINGS_NAVIGATION: dict[Role, list[tuple[str, str]]] = {
    Role.HEADTEACHER: [
        ("Cluster alerts", "cluster_alerts:list"),
        ("Platforms", "incidents:platform_list"),
        ("Letter wording", "letters:wording_list"),
        ("Complaint deadlines", "complaints:settings"),
        ("Classes", "accounts:class_list"),
        ("Staff and governors", "accounts:people_list"),
        ("Import from MIS", "accounts:roll_import_list"),
        ("Email delivery", "notifications:list"),
        ("Privacy notice", "dataprotection:privacy_edit"),
        ("Retention schedule", "dataprotection:schedule"),
        ("Subject access requests", "dataprotection:sar_register"),
    ],
    Role.OFFICE: [
        ("School policies", "policies:school_policies"),
    ],
    Role.DPO: [
        ("School policies", "policies:school_policies"),
        ("Privacy notice", "dataprotection:privacy_edit"),
        ("Retention schedule", "dataprotection:schedule"),
    ],
}


def settings_nav_for(role: Role) -> tuple[dict, ...]:
    return _menu("settings", role, get_language(), get_script_prefix())


def nav_for(role: Role) -> tuple[dict, ...]:
    return _menu("main", role, get_language(), get_script_prefix())


@lru_cache(maxsize=512)
def _menu(which: str, role: Role, language: str | None, script_prefix: str) -> tuple[dict, ...]:
    """A role's menu in a language (on every page: built once per process, language and prefix;
    the pages only read it)."""
    entries = (SETTINGS_NAVIGATION if which == "settings" else NAVIGATION).get(role, [])
    items = []
    for label, url_name in entries:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        # Parents' labels are marked for translation (N_); staff labels have no Welsh yet and stay.
        items.append({"label": gettext(label), "url": url})
    return tuple(items)


@receiver(setting_changed)
def _forget_menus(*, setting: str, **kwargs) -> None:
    # As Django forgets its catalogues and URLs when a test changes where they come from.
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "ROOT_URLCONF"}:
        _menu.cache_clear()
