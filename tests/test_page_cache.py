"""The in-process public cache keeps pages within a byte budget, least recently used first out."""

from __future__ import annotations

import pickle
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from votesys.page_cache import PageCache


def size(value) -> int:
    return len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def page(n: int) -> tuple[bytes, str, dict]:
    return (b"x" * n, "text/html", {})


def test_a_page_is_kept_and_read_back_as_a_copy():
    cache = PageCache(10_000)
    value = (b"<html>", "text/html", {"Link": "<a>"})
    assert cache.set("k", value)
    got = cache.get("k")
    assert got == value and got is not value
    assert cache.has("k") and cache.get("missing") is None
    assert cache.used == size(value)


def test_new_pages_evict_the_least_recently_used_within_the_budget():
    one = size(page(1000))
    cache = PageCache(3 * one)
    for key in "abc":
        cache.set(key, page(1000))
    assert cache.get("a") is not None  # a read makes "a" the most recent
    cache.set("d", page(1000))
    assert cache.get("b") is None  # the least recently used went
    assert all(cache.get(k) is not None for k in "acd")
    assert cache.used == 3 * one <= cache.budget


def test_the_budget_is_never_exceeded_by_one_byte():
    one = size(page(1000))
    cache = PageCache(2 * one - 1)  # room for one page, not two
    cache.set("a", page(1000))
    cache.set("b", page(1000))
    assert cache.get("a") is None and cache.get("b") is not None
    assert cache.used == one


def test_a_page_larger_than_the_whole_budget_is_not_kept_and_evicts_nothing():
    cache = PageCache(size(page(1000)))
    cache.set("small", page(1000))
    assert cache.set("big", page(5000)) is False
    assert cache.get("big") is None and cache.get("small") is not None


def test_setting_a_key_again_replaces_its_bytes():
    cache = PageCache(100_000)
    cache.set("k", page(5000))
    cache.set("k", page(10))
    assert cache.used == size(page(10))
    assert cache.add("k", page(20)) is False
    assert cache.get("k") == page(10)


def test_expired_pages_are_not_served(monkeypatch):
    import votesys.page_cache as module

    now = [1000.0]
    monkeypatch.setattr(module, "time", lambda: now[0])
    cache = PageCache(100_000, default_timeout=60)
    cache.set("k", page(10))
    cache.set("forever", page(10), timeout=0)
    now[0] += 59.9
    assert cache.get("k") is not None
    now[0] += 0.2
    assert cache.get("k") is None and not cache.has("k")
    assert cache.get("forever") is not None
    assert cache.used == size(page(10))


def test_delete_and_clear():
    cache = PageCache(100_000)
    cache.set("a", page(10))
    cache.set("b", page(10))
    assert cache.delete("a") and not cache.delete("a")
    assert cache.clear() and cache.used == 0 and cache.get("b") is None


@settings(max_examples=200, deadline=None)
@given(
    budget=st.integers(min_value=0, max_value=4000),
    steps=st.lists(
        st.tuples(
            st.sampled_from(["set", "get", "delete"]),
            st.sampled_from("abcdefg"),
            st.integers(min_value=0, max_value=1500),
        ),
        max_size=60,
    ),
)
def test_the_bytes_held_are_the_sum_of_the_pages_and_within_the_budget(budget, steps):
    """Against a plain model: an ordered list of (key, size), most recent last."""
    cache = PageCache(budget)
    model: dict[str, int] = {}
    for action, key, n in steps:
        value = page(n)
        if action == "set":
            model.pop(key, None)
            if size(value) <= budget:
                while model and sum(model.values()) + size(value) > budget:
                    model.pop(next(iter(model)))
                model[key] = size(value)
            cache.set(key, value)
        elif action == "get":
            got = cache.get(key)
            assert (got is not None) == (key in model)
            if key in model:
                model[key] = model.pop(key)
        else:
            assert cache.delete(key) == (model.pop(key, None) is not None)
        assert cache.used == sum(model.values()) <= budget
        assert list(cache._pages) == list(model)


def test_threads_sharing_one_cache_keep_its_count_true():
    cache = PageCache(50 * size(page(100)))

    def work(t: int) -> None:
        for i in range(500):
            cache.set(f"{t}:{i % 80}", page(100))
            cache.get(f"{(t + 1) % 4}:{i % 80}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.used == sum(len(data) for _, data in cache._pages.values()) <= cache.budget


def test_the_app_uses_it_without_redis(app):
    from votesys.extensions import cache

    backend = cache.cache
    assert isinstance(backend, PageCache)
    assert backend.budget == int(app.config["PUBLIC_CACHE_MB"] * 2**20)
