"""read_ahead: the same items in the same order, errors raised in the caller, early stops do not hang."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from reunify.sources.readahead import read_ahead


def test_items_come_in_order_made_by_another_thread() -> None:
    makers: set[str] = set()

    def items() -> Iterator[int]:
        for i in range(50):
            makers.add(threading.current_thread().name)
            yield i

    assert list(read_ahead(items())) == list(range(50))
    assert makers == {"reunify-read-ahead"}


def test_an_error_while_making_an_item_is_raised_in_the_caller() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise ValueError("bad block")

    ahead = read_ahead(items())
    assert next(ahead) == 1
    with pytest.raises(ValueError, match="bad block"):
        next(ahead)


def test_stopping_early_stops_the_worker() -> None:
    made = []

    def items() -> Iterator[int]:
        for i in range(1000):
            made.append(i)
            yield i

    for item in read_ahead(items()):
        if item == 2:
            break
    assert len(made) <= 5  # the worker ran at most a couple of items ahead, then stopped
    assert not any(t.name == "reunify-read-ahead" for t in threading.enumerate())
