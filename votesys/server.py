"""The production server: gunicorn with threaded workers, configured from the command line."""

from __future__ import annotations

import argparse
import gc
import multiprocessing

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker

# Paths only: query strings and bodies never reach the log.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# Answers whose size the log leaves out (AccessLogger).
UNSIZED_PATHS = "/tablet/"


class ThreadWorker(GunicornThreadWorker):
    """gunicorn's threaded worker, without its start-up warning that no connection can be
    kept alive between requests: a process takes as many connections as it has threads on
    purpose (``run``), so none is kept alive, and the warning would be the first thing an
    operator reads. Keep-alive itself stays at gunicorn's default: gunicorn 27 also uses it
    as the time a new connection may take to send its request (at 0, connections accepted
    in a burst before their request arrived were dropped)."""

    @classmethod
    def check_config(cls, cfg, log) -> None:
        pass


class AccessLogger(Logger):
    """gunicorn's logger, with "-" for the size of the tablets' answers: a ballot's review
    and cast are padded to a size that does not depend on the marks (voting.tablet), and the
    log, which names the tablet's address beside the size, keeps none of it either."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        if (environ.get("PATH_INFO") or "").startswith(UNSIZED_PATHS):
            atoms["b"] = atoms["B"] = "-"
            atoms.pop("{content-length}o", None)
            atoms.pop("{content-length}i", None)
        return atoms


class _Server(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # In the worker, after the fork: the master process imports gunicorn only.
        from votesys import create_app

        return settled(create_app(serving=True))


def settled(app):
    """The app with what lives as long as the process (modules, mappers) set aside from the
    garbage collector (``gc.freeze``): a full collection then walks only what requests
    made. Without it each took about 100 ms at province scale, a few times in every hundred
    page builds: the pages' p99 (docs/performance.md, the province)."""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()  # else done by the first request, and its objects left out
    gc.collect()
    gc.freeze()
    return app


def options(*, host: str, port: int, workers: int | None, threads: int) -> dict:
    """gunicorn's settings. Each waiting tablet holds one request open (its event stream),
    and so one thread: a process accepts no more connections than it has threads, so that
    no request ever queues behind the waiting ones (threads are started as connections need
    them). Which is also why the server belongs behind nginx (docs/nginx/votesys.conf),
    which reads each request whole before passing it on: a client that opens connections
    and sends nothing would otherwise hold a thread with each."""
    if workers is None:
        workers = multiprocessing.cpu_count() * 2 + 1
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_connections": threads,
        "backlog": 4096,
        "worker_class": "votesys.server.ThreadWorker",
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": "votesys.server.AccessLogger",
        # gunicorn 27 opens a control socket under $HOME shared by every gunicorn of
        # the user; several votesys servers on one machine must not fight over it.
        "control_socket_disable": True,
    }


def run(*, host: str, port: int, workers: int | None, threads: int) -> None:
    _Server(options(host=host, port=port, workers=workers, threads=threads)).run()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of ``python -m votesys.server``. Without --host it listens on
    127.0.0.1 only, for nginx on the same machine; a host that nginx reaches over the
    network is given its internal address."""
    parser = argparse.ArgumentParser(prog="votesys serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1000)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """``python -m votesys.server``: what ``votesys serve`` runs. The master process imports
    gunicorn only; each worker builds its app after the fork."""
    args = parse(argv)
    run(host=args.host, port=args.port, workers=args.workers, threads=args.threads)


if __name__ == "__main__":
    main()
