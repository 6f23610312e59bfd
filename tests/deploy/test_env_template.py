"""deploy/schoolsocial.env.example names every environment variable settings.py reads."""

from __future__ import annotations

import re

from django.conf import settings

READ_BY_SETTINGS = re.compile(r'env(?:_bool|_int|_list|_required_in_production)?\(\s*"([A-Z][A-Z0-9_]+)"')
LISTED = re.compile(r"^#?([A-Z][A-Z0-9_]+)=", re.MULTILINE)


def test_the_env_template_lists_every_variable_settings_reads():
    read = set(READ_BY_SETTINGS.findall((settings.BASE_DIR / "schoolsocial" / "settings.py").read_text()))
    listed = set(LISTED.findall((settings.BASE_DIR / "deploy" / "schoolsocial.env.example").read_text()))
    assert len(read) > 40  # the pattern still finds them
    assert read - listed == set()


def test_the_template_switches_on_production():
    template = (settings.BASE_DIR / "deploy" / "schoolsocial.env.example").read_text()
    assert "\nDJANGO_ENV=production\n" in template
    assert "\nTRUSTED_PROXIES=127.0.0.1\n" in template
