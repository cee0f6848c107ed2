"""What the page tests share: logging in through the forms, every deputy checked in and the
vote opened, and what a page shows (the congress they use is the `setup` fixture)."""

from __future__ import annotations

import re


def login(client, user, secret, tablet=False):
    if tablet:
        return client.post("/tablet/login", data={"code": user, "pin": secret})
    return client.post("/login", data={"login": user, "password": secret})


def open_for_all(client, setup):
    login(client, "organiser", "organiser-pass")
    for code in setup["deputies"]:
        client.post(f"/desk/sessions/{setup['session']}/checkin", data={"code": code})
    r = client.post(f"/desk/votes/{setup['votes']['main']}/open", follow_redirects=True)
    assert "投票已开始" in r.get_data(as_text=True)
    client.post("/logout")


def shown(html: str) -> str:
    """What a page shows: without its <template> parts, inert until a script fills one in
    (the waiting tablet's, for a vote that opens later)."""
    return re.sub(r"<template\b.*?</template>", "", html, flags=re.S)
