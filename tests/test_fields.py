"""The input fields at their edges (votesys.fields): one rule, one message each, for forms,
the API, imports and scenario files alike."""

from __future__ import annotations

import io
import logging
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st

from votesys import fields, log_text, tabular
from votesys.errors import InvalidInput

CONTROLS = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F)]
DIRECTIONS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


def reason(err: pytest.ExceptionInfo) -> str:
    """The refusal's reason in English (the catalog gives the Chinese one by default)."""
    with force_locale("en"):
        return str(err.value.params["reason"])


# -- text --------------------------------------------------------------------------------


def test_text_trims_and_keeps_tabs_and_newlines(app):
    assert fields.text("  路灯坏了\n第二行\t完  ", "title") == "路灯坏了\n第二行\t完"
    assert fields.text("一\r\n二\r三", "content", 10) == "一\n二\n三"


def test_text_length_edges(app):
    assert fields.text("字" * 200, "title") == "字" * 200
    with pytest.raises(InvalidInput) as err:
        fields.text("字" * 201, "title")
    assert reason(err) == "at most 200 characters"
    assert fields.text("", "note", required=False) == ""
    for empty in ("", "   ", None, "\n"):
        with pytest.raises(InvalidInput) as err:
            fields.text(empty, "title")
        assert reason(err) == "required"
    with pytest.raises(InvalidInput):
        fields.text(12, "title")


@pytest.mark.parametrize("char", CONTROLS)
def test_every_control_character_is_refused(app, char):
    if char == "\r":  # a line end as Windows sends it, read as a newline
        assert fields.text(f"a{char}b", "t") == "a\nb"
        return
    with pytest.raises(InvalidInput) as err:
        fields.text(f"路灯坏了{char}[31m", "title")
    assert err.value.params["field"] == "title"
    assert reason(err) == "must not contain control characters"


@pytest.mark.parametrize("char", DIRECTIONS)
def test_direction_overrides_are_refused(app, char):
    with pytest.raises(InvalidInput) as err:
        fields.text(f"{char}程工路道", "title")
    assert reason(err) == "must not contain characters that reverse the text"
    # the marks that only hint a direction are harmless and kept
    assert fields.text("a\u200eb", "title") == "a\u200eb"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=60))
def test_text_without_controls_reads_as_typed_trimmed(value):
    clean = value.strip()
    if fields.DIRECTION.search(clean) or not clean:
        with pytest.raises(InvalidInput):
            fields.text(value, "t")
    else:
        assert fields.text(value, "t") == clean


@given(st.text(max_size=40), st.sampled_from(CONTROLS[:-1] + ["\x7f"]), st.text(max_size=40))
def test_any_text_with_a_control_inside_is_refused(before, control, after):
    if control == "\r":
        return
    with pytest.raises(InvalidInput):
        fields.text(f"x{before}{control}{after}x", "t", 200)


@given(st.text(max_size=80))
def test_clean_leaves_nothing_text_would_refuse(value):
    assert not fields.CONTROL.search(fields.clean(value))
    assert not fields.DIRECTION.search(fields.clean(value))


# -- numbers, money, dates, choices, PINs ---------------------------------------------------


def test_integer_edges(app):
    assert fields.integer("7", "n", low=7, high=7) == 7
    assert fields.integer(-3, "n", low=-3, high=0) == -3
    for bad in (True, 1.0, "1.0", "", "1e3", "０", None, "9" * 10):
        with pytest.raises(InvalidInput):
            fields.integer(bad, "n", low=0, high=10**12)
    with pytest.raises(InvalidInput) as err:
        fields.integer(8, "n", low=0, high=7)
    assert reason(err) == "between 0 and 7"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31177.83", Decimal("31177.83")),
        ("0", Decimal("0.00")),
        (12, Decimal("12.00")),
        ("1,200.5", Decimal("1200.50")),
    ],
)
def test_money_accepts(raw, expected):
    assert fields.money_of(raw) == expected


@pytest.mark.parametrize(
    "raw", ["-1", "abc", "1.005", 1.5, True, None, "NaN", "Infinity", "1e13", []]
)
def test_money_refuses(raw, app):
    with pytest.raises(ValueError):
        fields.money_of(raw)


@pytest.mark.parametrize("raw", ["1e5", "1E5", "1e-2", "0x10", "1_000", " ", ".5", "5.", "+5"])
def test_money_is_plain_digits_only(raw, app):
    with pytest.raises(ValueError):
        fields.money_of(raw)


def test_money_bounds(app):
    assert fields.money_of("999999999999.99") == Decimal("999999999999.99")
    with pytest.raises(ValueError):
        fields.money_of("1000000000000")
    assert fields.money_of("-0") == Decimal("0.00")
    with pytest.raises(InvalidInput) as err:
        fields.money("-0.01", "spent.city")
    assert err.value.params["field"] == "spent.city"


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_money_reads_back_what_it_shows(amount):
    assert fields.money_of(str(amount)) == amount


def test_dates_and_choices(app):
    assert fields.date("2026-12-04T08:00:00", "d") == date(2026, 12, 4)
    assert fields.date("", "d", required=False) is None
    for bad in ("2026-13-01", "", 20261204, None):
        with pytest.raises(InvalidInput):
            fields.date(bad, "d")
    assert fields.choice("for", "mark", ("for", "against")) == "for"
    with pytest.raises(InvalidInput) as err:
        fields.choice("FOR", "mark", ("for", "against"))
    assert reason(err) == "one of for, against"


@pytest.mark.parametrize("good", ["0000", "123456789012", "0123"])
def test_pin_accepts(good, app):
    assert fields.pin(good, "pin") == good


@pytest.mark.parametrize("bad", ["123", "1234567890123", "12a4", "١٢٣٤", "12 34", 1234, None])
def test_pin_refuses(bad, app):
    with pytest.raises(InvalidInput) as err:
        fields.pin(bad, "pin")
    assert reason(err) == "4 to 12 digits"


# -- writing out what older rows hold --------------------------------------------------------


def test_a_spreadsheet_takes_any_stored_text():
    from openpyxl import load_workbook

    row = ["路灯坏了\x07\x1b[31m", "=1+1", "行\x0b二", "\u202e反向"]
    data = tabular.to_xlsx(["标题", "公式", "换行", "方向"], [row], "意见\x07")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2))] == [
        "路灯坏了[31m",
        "'=1+1",
        "行二",
        "反向",
    ]
    assert "\x07" not in tabular.to_csv(["标题"], [row])


def test_log_lines_carry_user_text_escaped(app, caplog):
    log_text.install()
    logger = logging.getLogger("votesys.test")
    with caplog.at_level(logging.ERROR, logger="votesys.test"):
        try:
            raise ValueError("路灯坏了\x07\x1b[31m")
        except ValueError:
            logger.exception("export of %s failed", "路灯坏了\x1b[31m")
    text = caplog.handler.format(caplog.records[-1])
    assert "\x1b" not in text and "\x07" not in text
    assert "路灯坏了\\x1b[31m" in text and "\\x07" in text
    assert "Traceback" in text  # the traceback is kept, escaped
