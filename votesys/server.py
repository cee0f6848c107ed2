"""The production server: gunicorn with threaded workers, configured from the command line."""

from __future__ import annotations

import argparse
import multiprocessing

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker


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

        return create_app(serving=True)


def run(*, host: str, port: int, workers: int | None, threads: int) -> None:
    """Each waiting tablet holds one request open (its event stream), and so one thread: a
    process accepts no more connections than it has threads, so that no request ever
    queues behind the waiting ones (threads are started as connections need them)."""
    if workers is None:
        workers = multiprocessing.cpu_count() * 2 + 1
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_connections": threads,
            "backlog": 4096,
            "worker_class": "votesys.server.ThreadWorker",
            "timeout": 60,
            "graceful_timeout": 10,
            "accesslog": "-",
            # Paths only: query strings and bodies never reach the log.
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            # gunicorn 27 opens a control socket under $HOME shared by every gunicorn of
            # the user; several votesys servers on one machine must not fight over it.
            "control_socket_disable": True,
        }
    ).run()


def main(argv: list[str] | None = None) -> None:
    """``python -m votesys.server``: what ``votesys serve`` runs. The master process imports
    gunicorn only; each worker builds its app after the fork."""
    parser = argparse.ArgumentParser(prog="votesys serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1000)
    args = parser.parse_args(argv)
    run(host=args.host, port=args.port, workers=args.workers, threads=args.threads)


if __name__ == "__main__":
    main()
