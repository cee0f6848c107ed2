"""Log lines carry user text escaped: a title holding a terminal escape (``\\x1b[31m``) or a
bell reaches the server's log as ``\\x1b[31m``, not as a command to the operator's terminal.

Installed once per process by ``create_app``: every log record is escaped when it is made,
its traceback too (formatted then, so that handlers print the escaped text).
"""

from __future__ import annotations

import logging
import re
import traceback

# C0 controls but tab and newline, DEL, and the C1 controls (U+0080–U+009F: U+009B is a
# terminal's CSI), and the characters that reverse the text on a terminal.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape(text: str) -> str:
    return UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _escaped(factory):
    def make(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to logging's own error report
            return record
        if UNSAFE.search(message):
            record.msg, record.args = escape(message), None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = escape("".join(traceback.format_exception(*record.exc_info))).rstrip(
                "\n"
            )
        return record

    make.votesys_escapes = True
    return make


def install() -> None:
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "votesys_escapes", False):
        logging.setLogRecordFactory(_escaped(factory))
