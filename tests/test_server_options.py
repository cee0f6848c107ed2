"""The production server's settings: where `votesys serve` listens, and what its access log
keeps of a tablet's answers."""

from __future__ import annotations

import datetime
import types

from gunicorn.config import Config

from votesys import commands, server


def test_serve_listens_on_the_loopback_unless_told_otherwise(runner, monkeypatch):
    """nginx is in front (README, docs/nginx/votesys.conf): without --host nothing but this
    machine reaches gunicorn, whose threads a crowd of idle connections could hold."""
    executed: list[list[str]] = []
    monkeypatch.setattr(commands.os, "execv", lambda _exe, argv: executed.append(argv))
    assert runner.invoke(args=["serve", "--port", "8000"]).exit_code == 0
    assert runner.invoke(args=["serve", "--host", "10.0.0.11"]).exit_code == 0
    defaults, given = (server.parse(argv[3:]) for argv in executed)
    assert executed[0][1:3] == ["-m", "votesys.server"]
    assert server.options(**vars(defaults))["bind"] == "127.0.0.1:8000"
    assert server.options(**vars(given))["bind"] == "10.0.0.11:5000"
    assert server.options(**vars(server.parse([])))["bind"] == "127.0.0.1:5000"


def _access_line(tmp_path, path: str, size: int) -> str:
    """The line the production server's logger writes for an answer of ``size`` bytes."""
    settings = server.options(host="127.0.0.1", port=5000, workers=1, threads=4)
    cfg = Config()
    for key in ("access_log_format", "logger_class"):
        cfg.set(key, settings[key])
    log_file = tmp_path / f"access-{len(list(tmp_path.iterdir()))}.log"
    cfg.set("accesslog", str(log_file))
    logger = cfg.logger_class(cfg)
    answer = types.SimpleNamespace(
        status="200 OK", sent=size, headers=[("Content-Length", str(size))]
    )
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.1.2.3",
    }
    try:
        logger.access(answer, {}, environ, datetime.timedelta(milliseconds=12))
    finally:
        for handler in list(logger.access_log.handlers):  # gunicorn's loggers are global
            logger.access_log.removeHandler(handler)
            handler.close()
    return log_file.read_text().strip()


def test_the_access_log_keeps_no_size_of_a_tablet_answer(tmp_path):
    """A review page's size told which rating a deputy gave, beside the tablet's address."""
    for size in (2149, 2185):
        line = _access_line(tmp_path, "/tablet/votes/7/review", size)
        assert line == '10.1.2.3 "POST /tablet/votes/7/review" 200 - 12ms', line
    other = _access_line(tmp_path, "/api/v1/health", 2149)
    assert other == '10.1.2.3 "POST /api/v1/health" 200 2149 12ms', other


def test_a_worker_sets_its_start_up_objects_aside_from_the_garbage_collector(app):
    """A full collection walks only what requests made (votesys.server.settled)."""
    import gc

    from votesys.server import settled

    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        assert settled(app) is app
        assert gc.get_freeze_count() > 10_000  # the modules, mappers and the app
    finally:
        gc.unfreeze()
