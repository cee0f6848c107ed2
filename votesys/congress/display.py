"""长辈模式: how a deputy's tablet pages are shown — the text size in three steps and high
contrast — kept with the deputy (congress.models.Deputy), so that they follow the deputy
to any tablet and across sign-outs.

They belong to the deputy, not to a vote: every page of the tablet shows them, whichever
floor renders it (the PIN page of auth, the record of stations, the ballot of voting), and
each reads them from the deputy signed in; the tablet's control (voting.tablet_aids) sets
them here."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from votesys.congress.models import Deputy
from votesys.errors import invalid
from votesys.extensions import db

# The steps, in order, with their names on the tablet.
TEXT_SIZES = {
    "standard": _l("Standard"),
    "large": _l("Large"),
    "largest": _l("Extra large"),
}


def set_display(deputy: Deputy, text_size: Any = None, high_contrast: Any = None) -> Deputy:
    """Change what is given (None leaves it): a text size of TEXT_SIZES, contrast a bool."""
    if text_size is not None:
        if not isinstance(text_size, str) or text_size not in TEXT_SIZES:
            raise invalid("text_size", _l("one of %(sizes)s", sizes=", ".join(TEXT_SIZES)))
        deputy.text_size = text_size
    if high_contrast is not None:
        if not isinstance(high_contrast, bool):
            raise invalid("high_contrast", _l("on or off"))
        deputy.high_contrast = high_contrast
    db.session.flush()
    return deputy


def body_classes(user: object) -> str:
    """The classes of a tablet page's <body> for the deputy signed in: rendered by the
    server, so that the page shows at the deputy's size from its first paint."""
    if not isinstance(user, Deputy):
        return ""
    classes = []
    if user.text_size in TEXT_SIZES and user.text_size != "standard":
        classes.append(f"text-{user.text_size}")
    if user.high_contrast:
        classes.append("contrast")
    return " ".join(classes)
