"""The fields of livelihood matters (民生领域): a citizen's opinion and the project it may
become share them, so that the adoption of opinions can be followed into the register."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Category(StrEnum):
    EDUCATION = "education"
    HEALTH = "health"
    ROADS = "roads"
    WATER = "water"
    ENVIRONMENT = "environment"
    ELDERLY_CARE = "elderly_care"
    EMPLOYMENT = "employment"
    SAFETY = "safety"
    OTHER = "other"


CATEGORIES = tuple(c.value for c in Category)
CATEGORY_LABELS = {
    "education": _l("Education"),
    "health": _l("Health"),
    "roads": _l("Roads and transport"),
    "water": _l("Water"),
    "environment": _l("Environment"),
    "elderly_care": _l("Elderly care"),
    "employment": _l("Employment"),
    "safety": _l("Public safety"),
    "other": _l("Other"),
}
