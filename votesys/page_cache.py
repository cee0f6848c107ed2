"""The in-process store of the public cache (votesys.public_cache without Redis): bounded by
the bytes it holds, not by how many pages.

Flask-Caching's SimpleCache counts entries (``CACHE_THRESHOLD``). A province's pages are
20–60 KB each, so 2,000 of them were up to 100 MB in every server process; and once over its
count, each new page sorted every entry to drop one. Here the pages are kept in the order
they were last used; a new page evicts the least recently used until the total is within
``PUBLIC_CACHE_MB`` (``VOTESYS_PUBLIC_CACHE_MB``, 16 by default). A page larger than
the whole budget is not kept. Every retired generation's pages are never asked for again
and simply age out first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from time import time
from typing import Any

from cachelib.serializers import SimpleSerializer
from flask_caching.backends.base import BaseCache

DEFAULT_MB = 16


class PageCache(BaseCache):
    """Least recently used pages within a byte budget; thread-safe (one lock)."""

    serializer = SimpleSerializer()  # pickled, as SimpleCache does: a value read is a copy

    def __init__(self, budget_bytes: int, default_timeout: int = 300, **_: Any):
        super().__init__(default_timeout=default_timeout)
        self.budget = budget_bytes
        self.used = 0
        self._pages: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def factory(cls, app, config, args, kwargs) -> PageCache:
        mb = float(config.get("PUBLIC_CACHE_MB") or DEFAULT_MB)
        return cls(int(mb * 2**20), default_timeout=kwargs.get("default_timeout", 300))

    def get(self, key: str) -> Any:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            expires, data = found
            if expires and expires <= time():
                self._drop(key)
                return None
            self._pages.move_to_end(key)
        return self.serializer.loads(data)

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        data = self.serializer.dumps(value)
        timeout = self._normalize_timeout(timeout)
        expires = time() + timeout if timeout else 0.0
        with self._lock:
            self._drop(key)
            if len(data) > self.budget:
                return False
            while self._pages and self.used + len(data) > self.budget:
                self._drop(next(iter(self._pages)))
            self._pages[key] = (expires, data)
            self.used += len(data)
        return True

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        if self.has(key):
            return False
        return self.set(key, value, timeout)

    def has(self, key: str) -> bool:
        with self._lock:
            found = self._pages.get(key)
            return found is not None and (not found[0] or found[0] > time())

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._drop(key)

    def clear(self) -> bool:
        with self._lock:
            self._pages.clear()
            self.used = 0
        return True

    def _drop(self, key: str) -> bool:
        found = self._pages.pop(key, None)
        if found is None:
            return False
        self.used -= len(found[1])
        return True
