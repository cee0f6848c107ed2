"""The stations' rules alone: every move of the seven steps, codes, phones, dates."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from votesys.stations import rules
from votesys.stations.models import Feedback, Route, Step

STEPS = list(Step)
ROUTES = [None, *Route]
FEEDBACKS = [None, *Feedback]


def expected_allowed(current, target, route, feedback) -> bool:
    """The table of DOMAIN.md written out longhand, independently of rules.move_allowed."""
    forward = {
        "received": "registered",
        "registered": "handling",
        "handling": "supervised",
        "supervised": "replied",
        "replied": "feedback",
        "feedback": "archived",
    }
    if current == "handling" and route == "not_accepted":
        return target == "archived"  # closed with the reason
    if current == "feedback" and feedback == "unsatisfied":
        return target == "handling"  # 重新办理
    return forward.get(current) == target


@pytest.mark.parametrize("current", STEPS)
@pytest.mark.parametrize("target", STEPS)
def test_every_move_of_the_seven_steps(current, target):
    for route in ROUTES:
        for feedback in FEEDBACKS:
            assert rules.move_allowed(
                current, target, route=route, feedback=feedback
            ) == expected_allowed(current, target, route, feedback), (
                current,
                target,
                route,
                feedback,
            )


def test_no_move_skips_or_goes_back_except_the_two_named():
    allowed = [
        (c, t, r, f)
        for c in STEPS
        for t in STEPS
        for r in ROUTES
        for f in FEEDBACKS
        if rules.move_allowed(c, t, route=r, feedback=f)
    ]
    jumps = {(c, t) for c, t, _, _ in allowed if rules.ORDER.index(t) != rules.ORDER.index(c) + 1}
    assert jumps == {("handling", "archived"), ("feedback", "handling")}
    assert not rules.move_allowed("archived", "received", route=None, feedback=None)
    assert not rules.move_allowed("nonsense", "received", route=None, feedback=None)


def test_an_unsatisfied_opinion_is_not_archived_and_a_refused_one_not_supervised():
    assert not rules.move_allowed(
        "feedback", "archived", route="township_ordinary", feedback="unsatisfied"
    )
    assert rules.move_allowed(
        "feedback", "archived", route="township_ordinary", feedback="basically"
    )
    assert not rules.move_allowed("handling", "supervised", route="not_accepted", feedback=None)


def test_tracking_codes_carry_at_least_60_bits_and_look_random():
    assert rules.CODE_LENGTH * math.log2(len(rules.ALPHABET)) >= 60
    assert len(set(rules.ALPHABET)) == 32 and not set("ILOU") & set(rules.ALPHABET)
    codes = [rules.new_tracking_code() for _ in range(4000)]
    assert len(set(codes)) == len(codes)
    # Every symbol appears in every position about equally often (chi-squared, 31 dof).
    for position in (0, 6, 12):
        counts = Counter(code[position] for code in codes)
        expected = len(codes) / 32
        chi2 = sum((counts.get(ch, 0) - expected) ** 2 / expected for ch in rules.ALPHABET)
        assert chi2 < 70, (position, chi2)  # p ≈ 1e-4


def test_a_code_typed_by_hand_is_read_back():
    code = rules.new_tracking_code()
    shown = rules.format_tracking_code(code)
    assert shown.count("-") == 2 and shown.replace("-", "") == code
    assert rules.normalise_tracking_code(shown.lower()) == code
    assert rules.normalise_tracking_code(" " + shown + " ") == code
    assert rules.normalise_tracking_code("O1L" + code[3:]) == "011" + code[3:]
    assert rules.normalise_tracking_code(code[:-1]) is None
    assert rules.normalise_tracking_code(code + "0") is None
    assert rules.normalise_tracking_code("U" + code[1:]) is None
    assert rules.normalise_tracking_code("") is None


# A code as a citizen might type it: any case, O for 0 and I or L for 1, spaces and hyphens
# anywhere (a few, as the printed code has two), spaces around.
SAME_AS = {"0": "0Oo", "1": "1IiLl"}
codes = st.text(alphabet=rules.ALPHABET, min_size=13, max_size=13)


@st.composite
def typed(draw, code=codes):
    code = draw(code)
    chars = []
    for ch in code:
        variants = SAME_AS.get(ch, ch + ch.lower())
        chars.append(draw(st.sampled_from(sorted(set(variants)))))
        chars.append(draw(st.sampled_from(["", "", "", "-", " "])))
    pad = st.sampled_from(["", " ", "  ", "\t"])
    return code, draw(pad) + "".join(chars) + draw(pad)


@given(typed())
def test_a_code_typed_any_way_is_read_back(typed_code):
    code, text = typed_code
    assert rules.normalise_tracking_code(text) == code


@given(
    typed(),
    st.integers(0, 13),
    st.sampled_from(["U", "u", "*", "中", "Ü", "٣", "_"]),
    st.booleans(),
)
def test_a_code_with_a_symbol_too_many_or_too_few_or_foreign_is_none(typed_code, at, bad, drop):
    code, _ = typed_code
    if drop:  # one symbol short, or one too many (of the alphabet)
        wrong = code[:at] + code[at + 1 :] if at < 13 else code + code[0]
    else:  # a symbol no code has, in place of one
        wrong = code[:at] + bad + code[at + 1 :]
    assert rules.normalise_tracking_code(wrong) is None


@given(st.one_of(st.text(max_size=80), typed().map(lambda t: t[1])))
def test_any_typed_text_is_a_code_or_none(text):
    out = rules.normalise_tracking_code(text)
    assert out is None or (len(out) == 13 and set(out) <= set(rules.ALPHABET))


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("13812341234", "13812341234"),
        ("138 1234 1234", "13812341234"),
        ("+86 138-1234-1234", "13812341234"),
        ("0731-22334455", "073122334455"),
        ("(0731)2233445", "07312233445"),
    ],
)
def test_phones_that_are_phones(raw, stored):
    assert rules.normalise_phone(raw) == stored


@pytest.mark.parametrize(
    "raw", ["", "12812341234", "1381234123", "138123412345", "abc", "１３８１２３４１２３４", "110"]
)
def test_phones_that_are_not(raw):
    assert rules.normalise_phone(raw) is None


def test_masks():
    assert rules.mask_phone("13812341234") == "138****1234"
    assert rules.mask_phone("073122334455") == "073****4455"
    assert rules.mask_name("张三") == "张*"
    assert rules.mask_name("欧阳娜娜") == "欧***"
    assert rules.mask_name("") == ""


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 36))
def test_add_months_lands_in_the_right_month_on_the_same_or_last_day(start, months):
    out = rules.add_months(start, months)
    assert (out.year * 12 + out.month) - (start.year * 12 + start.month) == months
    assert out.day == start.day or (out.day < start.day and (out + timedelta(days=1)).day == 1)


def test_due_dates_by_route():
    periods = {"township_ordinary": {"days": 15}, "county_or_above": {"months": 3}}
    assert rules.due_date("township_ordinary", date(2026, 3, 1), periods) == date(2026, 3, 16)
    assert rules.due_date("county_or_above", date(2026, 11, 30), periods) == date(2027, 2, 28)
    assert rules.due_date("not_accepted", date(2026, 3, 1), periods) is None


def test_publish_deadline_is_three_days_before():
    assert rules.publish_deadline(date(2026, 12, 10)) == date(2026, 12, 7)


def test_reception_days():
    assert rules.parse_reception_days([30, 10, 20]) == "10,20,30"
    assert rules.parse_reception_days([]) == ""
    for bad in ([0], [32], [10, 10], [True], ["10"], [1.5]):
        with pytest.raises(ValueError):
            rules.parse_reception_days(bad)
