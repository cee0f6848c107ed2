"""The README's production section, followed literally where a newcomer would follow it:
build the wheel, install it with the locked dependencies into a new virtualenv outside the
checkout, then — from a folder that is not the checkout — `votesys --version`,
`votesys db upgrade` on SQLite and on PostgreSQL, `votesys create-user`, `votesys serve`,
the health check and a login. Runs in the PostgreSQL pass (it needs that server)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tests.faults.live import Broken, call, free_port, wait_for
from votesys.database import throwaway_postgres_database

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
pytestmark = pytest.mark.pg_only


def run(argv: list, cwd: Path, env: dict | None = None, timeout: float = 600) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{argv}: {done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A new virtualenv with the built wheel and the runtime lock, made outside the checkout."""
    tmp = tmp_path_factory.mktemp("production")
    built = run([ROOT / "scripts" / "build", tmp / "dist"], cwd=ROOT)
    wheel = Path(built.strip().splitlines()[-1])
    assert wheel.name == f"votesys-{VERSION}-py3-none-any.whl"
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp)
    pip = [venv / "bin" / "python", "-m", "pip", "--disable-pip-version-check", "install"]
    run([*pip, "--require-hashes", "--no-deps", "-r", ROOT / "requirements" / "runtime.txt"], tmp)
    run([*pip, "--no-deps", wheel], cwd=tmp)
    return venv


def environment(venv: Path, workdir: Path, database_url: str) -> dict[str, str]:
    """What an operator exports: nothing of the test run's own (no PYTHONPATH, no checkout)."""
    return {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "production-path-test-secret",
        "VOTESYS_INSTANCE_PATH": str(workdir / "instance"),
    }


def test_the_installed_package_is_the_wheel(installed, tmp_path):
    env = environment(installed, tmp_path, "sqlite://")
    assert run(["votesys", "--version"], tmp_path, env).strip() == f"votesys {VERSION}"
    where = run(["python", "-c", "import votesys; print(votesys.__file__)"], tmp_path, env)
    assert Path(where.strip()).is_relative_to(installed), where
    assert not Path(where.strip()).is_relative_to(ROOT)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_readme_production_commands(installed, tmp_path, database):
    if database == "sqlite":
        _upgrade_create_serve(installed, tmp_path, f"sqlite:///{tmp_path / 'votesys.db'}")
        return
    with throwaway_postgres_database(PG_URL, "votesys_production") as url:
        _upgrade_create_serve(installed, tmp_path, url)


def _upgrade_create_serve(venv: Path, workdir: Path, database_url: str) -> None:
    env = environment(venv, workdir, database_url)
    upgraded = run(["votesys", "db", "upgrade"], workdir, env)
    assert "Running upgrade" in upgraded
    run(
        ["votesys", "create-user", "--role", "organiser", "--login", "lk-office"]
        + ["--password", "correct horse battery"],
        workdir,
        env,
    )
    port = free_port()
    log = workdir / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            ["votesys", "serve", "--port", str(port), "--workers", "2"],
            cwd=workdir,
            env={**env, "PATH": env["PATH"]},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _healthy(base, server, log), 60, "the installed server to answer")
        login = call(
            base, "POST", "/api/v1/auth/token",
            {"login": "lk-office", "password": "correct horse battery"},
        )  # fmt: skip
        assert login.status == 201, login.text
        assert login.json["role"] == "organiser"
        refused = call(base, "POST", "/api/v1/auth/token", {"login": "lk-office", "password": "x"})
        assert refused.status == 401
    finally:
        server.terminate()
        server.wait(30)
    output = log.read_text()
    assert "Starting gunicorn" in output
    assert "WARNING" not in output.upper().replace("WARNING: LOCATION", ""), output
    assert "Traceback" not in output, output


def _healthy(base: str, server: subprocess.Popen, log: Path) -> bool:
    if server.poll() is not None:
        raise AssertionError(f"votesys serve exited:\n{log.read_text()}")
    try:
        return call(base, "GET", "/api/v1/health", timeout=5).status == 200
    except Broken:
        return False
