"""A school's retention schedule: the rules of retention.py with the school's own periods."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import School

from .models import RetentionSetting
from .retention import RULES, Rule


@dataclass
class Entry:
    rule: Rule
    years: int
    setting: RetentionSetting | None

    @property
    def period_label(self) -> str:
        return self.rule.period_label(self.years)

    @property
    def is_default(self) -> bool:
        return self.setting is None or self.setting.years == self.rule.default_years


def schedule_for(school: School) -> list[Entry]:
    settings = {s.record_type: s for s in RetentionSetting.objects.filter(school=school).select_related("changed_by")}
    return [
        Entry(
            rule=rule, years=settings[key].years if key in settings else rule.default_years, setting=settings.get(key)
        )
        for key, rule in RULES.items()
    ]


def years_for(school: School) -> dict[str, int]:
    return {entry.rule.key: entry.years for entry in schedule_for(school)}
