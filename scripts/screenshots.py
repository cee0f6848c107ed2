"""Screenshots of the demo, as a newcomer would see it, for the README and docs."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def votesys(env: dict, *args: str) -> str:
    return subprocess.run(
        [str(BIN / "votesys"), *args], env=env, check=True, capture_output=True, text=True
    ).stdout


def wait_healthy(base: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def api(base: str, path: str, body: dict, token: str | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    instance = tempfile.mkdtemp(prefix="votesys-shots-")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["VOTESYS_INSTANCE_PATH"] = instance
    votesys(env, "db", "upgrade")
    votesys(env, "demo")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "votesys"), "serve", "--port", str(port), "--workers", "1", "--threads", "8"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(base)
        shoot(base)
    finally:
        # gunicorn's graceful stop waits up to its graceful_timeout (10 s) for the tablet
        # pages' event streams, which end only when they next write: give it that, then kill.
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
    print(f"screenshots written to {OUT.relative_to(ROOT)}")


def shoot(base: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        desk = browser.new_page(viewport={"width": 1280, "height": 900})
        desk.goto(f"{base}/login")
        desk.fill("#login", "organiser")
        desk.fill("#password", "votesys-demo")
        desk.click("button.primary")
        desk.goto(f"{base}/desk/sessions/2")
        desk.screenshot(path=OUT / "desk-session.png", full_page=False)
        desk.goto(f"{base}/desk/sessions/2/checkin?q=李")
        desk.screenshot(path=OUT / "checkin.png")
        vote_page = f"{base}/desk/votes/2"
        desk.goto(vote_page)
        desk.fill("input[name='time_limit_minutes']", "15")  # the hall and tablets count down
        desk.click("form[action$='/open'] button")

        tablet = browser.new_page(viewport={"width": 1024, "height": 768}, has_touch=True)
        tablet.goto(f"{base}/tablet/login")
        tablet.fill("#code", "LK001")
        tablet.fill("#pin", "123456")
        tablet.click("button.primary")
        tablet.click("a.button.primary")
        items = tablet.locator(".ballot-item")
        for i, word in [(0, "for"), (1, "for"), (2, "against"), (3, "for"), (4, "abstain")]:
            items.nth(i).locator(f".choice-{word}").click()
        tablet.keyboard.press("Home")
        tablet.wait_for_timeout(300)
        tablet.screenshot(path=OUT / "tablet-ballot.png")
        for i in range(5, 14):
            items.nth(i).locator(".choice-for" if i < 11 else ".choice-against").click()
        tablet.click("#to-review")
        tablet.screenshot(path=OUT / "tablet-review.png", full_page=True)
        tablet.click("#cast")
        tablet.wait_for_selector("#receipt")
        tablet.screenshot(path=OUT / "tablet-done.png")
        # 呼叫工作人员: LK001 calls staff; the desk's vote page lights up with the name
        tablet.click("#call-staff")
        tablet.wait_for_selector("#call-open:not([hidden])")
        desk.goto(vote_page)
        desk.wait_for_selector("#staff-calls.lit")
        desk.screenshot(path=OUT / "desk-staff-call.png")

        # 长辈模式: the largest text and high contrast, kept for the deputy
        elder = browser.new_page(viewport={"width": 1280, "height": 800}, has_touch=True)
        elder.goto(f"{base}/tablet/login")
        elder.fill("#code", "LK002")
        elder.fill("#pin", "123456")
        elder.click("button.primary")
        elder.locator("#elder summary").click()
        elder.click("#elder-form button.size-largest")
        elder.wait_for_selector("body.text-largest")
        elder.evaluate("document.getElementById('elder').open = true")
        elder.click("#contrast-toggle")
        elder.wait_for_selector("body.contrast")
        elder.goto(f"{base}/tablet/votes/2")
        elder.locator(".ballot-item").nth(0).locator(".choice-for").click()
        elder.screenshot(path=OUT / "tablet-elder.png")
        elder.close()

        # more deputies vote, so that the hall shows a running count
        candidates = api(base, "/api/v1/auth/token", {"login": "LK002", "password": "123456"})
        for n in range(2, 120):
            token = api(base, "/api/v1/auth/token", {"login": f"LK{n:03d}", "password": "123456"})[
                "token"
            ]
            vote = json.loads(
                urllib.request.urlopen(
                    urllib.request.Request(
                        f"{base}/api/v1/votes/2", headers={"Authorization": f"Bearer {token}"}
                    )
                ).read()
            )
            ids = [c["id"] for c in vote["candidates"]]
            choices = {str(cid): "for" for cid in ids[(n % 5) : (n % 5) + 8]}
            try:
                api(base, "/api/v1/votes/2/ballots", {"choices": choices}, token)
            except urllib.error.HTTPError:
                pass  # absent or not checked in: refused, as it should be
        del candidates
        desk.goto(vote_page)  # the count and who has not voted yet, as they stand
        desk.locator("#not-voted summary").click()
        desk.screenshot(path=OUT / "desk-vote-open.png", full_page=True)
        hall = browser.new_page(viewport={"width": 1600, "height": 900})
        hall.goto(f"{base}/hall/2")
        hall.wait_for_timeout(1500)
        hall.screenshot(path=OUT / "hall-open.png")
        hall.goto(f"{base}/hall/1")
        hall.wait_for_timeout(1500)
        hall.screenshot(path=OUT / "hall-result.png", full_page=True)

        paper = browser.new_page(viewport={"width": 900, "height": 1270})
        paper.goto(f"{base}/votes/1/announcement")
        paper.screenshot(path=OUT / "announcement.png", full_page=True)
        # 计票结果报告单 of 龙门镇's vote switched to paper, as printed on A4
        paper.goto(f"{base}/login")
        paper.fill("#login", "longmen")
        paper.fill("#password", "votesys-demo")
        paper.click("button.primary")
        paper.goto(f"{base}/desk/votes/6/report")
        paper.emulate_media(media="print")
        paper.screenshot(path=OUT / "scrutiny-report.png", full_page=True)
        paper.emulate_media(media="screen")
        desk.goto(f"{base}/desk/votes/1")
        desk.screenshot(path=OUT / "desk-result.png", full_page=True)
        desk.goto(f"{base}/desk/votes/3")
        desk.screenshot(path=OUT / "desk-paper-tie.png", full_page=True)
        desk.goto(f"{base}/desk/votes/5")  # the 2027 session's practice vote
        desk.screenshot(path=OUT / "desk-practice.png", full_page=True)
        desk.goto(f"{base}/desk/votes/6")  # 龙门镇: switched to paper, both parts, confirmed
        desk.screenshot(path=OUT / "desk-fallback-result.png", full_page=True)
        desk.goto(f"{base}/desk/jurisdictions/430212105/rules")  # 龙门镇's rules
        desk.screenshot(path=OUT / "desk-jurisdiction-rules.png", full_page=True)
        desk.goto(f"{base}/desk/sessions/3")  # 龙门镇: approved projects still needing a plan
        desk.screenshot(path=OUT / "desk-plans-needed.png", full_page=True)
        desk.locator("#plans-needed a").first.click()
        desk.wait_for_load_state()
        desk.screenshot(path=OUT / "desk-plan-form.png", full_page=True)
        desk.goto(f"{base}/desk/opinions")
        desk.screenshot(path=OUT / "desk-opinions.png", full_page=True)
        desk.goto(f"{base}/desk/figures")
        desk.screenshot(path=OUT / "desk-figures.png", full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.goto(f"{base}/stations/1")
        phone.screenshot(path=OUT / "phone-station.png", full_page=True)
        phone.goto(f"{base}/opinions/new?station=1")
        phone.select_option("#category", "roads")
        phone.fill("#title", "渌江桥头人行道破损")
        phone.fill("#content", "桥头人行道地砖松动，雨天积水，老人孩子容易摔倒。")
        phone.fill("#citizen_phone", "13973300000")
        phone.click("button.primary")
        phone.screenshot(path=OUT / "phone-receipt.png", full_page=True)
        phone.goto(f"{base}/projects?q=饮水")
        phone.screenshot(path=OUT / "phone-portal-list.png", full_page=True)
        phone.goto(f"{base}/projects/2026-430212-03")
        phone.screenshot(path=OUT / "phone-portal-project.png", full_page=True)

        # A deputy checks a receipt of the published 2026 vote (a demo receipt: the record's
        # first tracker), and the browser verifier re-checks the record
        record = json.loads(urllib.request.urlopen(f"{base}/api/v1/votes/1/record").read())
        phone.goto(f"{base}/verify")
        phone.fill("#receipt", record["trackers"][0])
        phone.click("form.stack-form button.primary")
        phone.wait_for_selector("#proof-status.pass")
        phone.screenshot(path=OUT / "phone-verify.png", full_page=True)

        scrutineer_shots(browser, base)

        site = browser.new_page(viewport={"width": 1366, "height": 768})
        for path, name in (
            ("/", "portal-home.png"),
            ("/projects/2026-430212-03", "portal-project.png"),
            ("/statistics", "portal-statistics.png"),
        ):
            site.goto(f"{base}{path}")
            site.screenshot(path=OUT / name, full_page=True)
        site.goto(f"{base}/verify/record?vote=1")
        site.wait_for_selector("body[data-verifier-ready='1']")
        body = urllib.request.urlopen(f"{base}/api/v1/votes/1/record").read()
        site.fill("#printed-sha256", hashlib.sha256(body).hexdigest())  # as on the paper
        site.click("#load-site button")
        site.wait_for_selector("#verifier-results:not([hidden]) #verifier-checks li")
        site.wait_for_timeout(1000)
        site.screenshot(path=OUT / "verify-record.png", full_page=True)

        # Last, as it changes the open vote: the tablets fail and the desk switches to paper
        desk.on("dialog", lambda dialog: dialog.accept())
        desk.goto(vote_page)
        desk.locator("#fallback-switch summary").click()
        desk.fill("#fallback-reason", "会场无线网络中断，表决器无法连接")
        desk.click("#fallback-switch form button")
        desk.wait_for_selector("#fallback")
        desk.screenshot(path=OUT / "desk-fallback.png", full_page=True)
        browser.close()


def scrutineer_shots(browser, base: str) -> None:
    """王斌 (LM024), a scrutineer of 龙门镇's third session, on his tablet: the home's links,
    then his page: he makes his signing key on the device and confirms the counted vote."""
    tablet = browser.new_page(viewport={"width": 1280, "height": 800}, has_touch=True)
    tablet.goto(f"{base}/tablet/login")
    tablet.fill("#code", "LM024")
    tablet.fill("#pin", "123456")
    tablet.click("button.primary")
    tablet.wait_for_selector("#scrutiny-link")
    tablet.click("#scrutiny-link")
    tablet.wait_for_selector("#scr-make:visible")
    tablet.click("#scr-make")
    tablet.wait_for_selector("#scr-make", state="hidden")
    tablet.reload()
    button = tablet.locator("#scrutiny-vote-6 .scr-confirm")
    button.wait_for(state="visible")
    tablet.wait_for_function("b => !b.disabled", arg=button.element_handle(), timeout=10000)
    tablet.screenshot(path=OUT / "tablet-scrutineer.png", full_page=True)  # key made
    button.click()
    tablet.wait_for_selector("#scrutiny-vote-6 .scr-done", timeout=10000)
    tablet.close()


if __name__ == "__main__":
    main()
