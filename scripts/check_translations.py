"""Check the translation catalogs: every string of the code is translated into 简体中文,
placeholders match, and the compiled .mo files shipped with the package are current.

"Current" is judged by content — the same messages with the same translations — not by
bytes: a .mo file's header names the Babel that wrote it, and a newer Babel on a fresh
machine must not make a current catalog look stale."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "votesys" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
METHODS = [("votesys/**.py", "python"), ("votesys/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def code_messages() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map={}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def compiled_content(catalog: Catalog, skip_fuzzy: bool = False) -> dict:
    """What a .mo file carries, without its header: each message id (with its context and
    plural) and its translation(s). ``skip_fuzzy``: as `pybabel compile` leaves fuzzy
    entries out of the .mo."""
    return {
        (m.context, m.id if isinstance(m.id, str) else tuple(m.id)): (
            m.string if isinstance(m.string, str) else tuple(m.string)
        )
        for m in catalog
        if m.id and m.string and not (skip_fuzzy and m.fuzzy)
    }


def main() -> int:
    problems = []
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        translated = {
            (m.id if isinstance(m.id, str) else m.id[0]): (
                m.string if isinstance(m.string, str) else m.string[0]
            )
            for m in catalog
            if m.id
        }
        for msgid in sorted(code_messages()):
            if not translated.get(msgid):
                problems.append(f"{po_path.parent.parent.name}: untranslated: {msgid!r}")
            elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(translated[msgid])):
                problems.append(f"{po_path.parent.parent.name}: placeholders differ: {msgid!r}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            problems.append(f"{mo_path.relative_to(ROOT)} is missing: run scripts/i18n compile")
            continue
        with mo_path.open("rb") as fh:
            compiled = read_mo(fh)
        if compiled_content(compiled) != compiled_content(catalog, skip_fuzzy=True):
            problems.append(f"{mo_path.relative_to(ROOT)} is stale: run scripts/i18n compile")
    for line in problems:
        print(line)
    print(f"{len(problems)} translation problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
