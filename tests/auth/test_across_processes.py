"""The login limits and the PIN lockout hold across server processes: another process, with
the same database and the same Redis, counts towards the same limits and locks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests import required
from tests.auth.test_login_security import WRONG, deputy, tablet
from tests.required import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]

OTHER_PROCESS = """
import json, sys
from votesys import create_app
config = json.loads(sys.argv[1])
app = create_app(config)
client = app.test_client()
statuses = []
for _ in range(config["pins"]):
    r = client.post("/tablet/login", data={"code": "D0001", "pin": "999999"})
    statuses.append(r.status_code)
for _ in range(config["passwords"]):
    r = client.post("/login", data={"login": "org-here", "password": "wrong"})
    statuses.append(r.status_code)
print(json.dumps(statuses))
"""


def other_process(app, prefix: str, *, pins: int, passwords: int) -> list[int]:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 8,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_RATE_LIMIT_ACCOUNT": app.config["LOGIN_RATE_LIMIT_ACCOUNT"],
        "pins": pins,
        "passwords": passwords,
    }
    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, json.dumps(config)],
        cwd=ROOT,
        env={**os.environ, "VOTESYS_INSTANCE_PATH": app.instance_path},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_limits_and_lockout_count_across_processes(app, client, two_counties):
    store = required.redis()
    prefix = f"votesys-test-{uuid.uuid4().hex[:8]}"
    from votesys.extensions import limiter

    app.config.update(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "6 per minute"
    limiter._key_prefix = prefix
    limiter.init_app(app)  # the Redis storage, as with REDIS_URL set
    try:
        # Another process: 3 wrong PINs for D0001, 5 wrong passwords for org-here.
        assert other_process(app, prefix, pins=3, passwords=5) == [401] * 8
        assert deputy("D0001").failed_pins == 3
        # This process: the 4th wrong PIN is still a wrong PIN, the 5th locks.
        assert tablet(client, "D0001", WRONG).status_code == 401
        assert tablet(client, "D0001", WRONG).status_code == 423
        # A 6th wrong password for org-here, here; the next one is limited.
        wrong = client.post("/login", data={"login": "org-here", "password": "x"})
        assert wrong.status_code == 401
        limited = client.post("/login", data={"login": "org-here", "password": "org-here-pass"})
        assert limited.status_code == 429
        # And the other process sees both: the lock and the limit.
        assert other_process(app, prefix, pins=1, passwords=1) == [423, 429]
        assert list(store.scan_iter(f"*{prefix}*"))  # the counts are in Redis
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        limiter._key_prefix = ""
