"""Running a generator one item ahead in a worker thread."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """Yield ``items``, making the next one in a worker thread while the caller uses this one.

    Native work (Arrow's CSV parser, Polars, LZ4, AES-GCM, the database driver) releases the GIL,
    so on a machine with a free core making and using overlap. At most two items are alive at
    once besides the one being made. An exception in the worker is raised here, in the caller;
    when the caller stops early the worker stops after the item it is making.
    """
    hand: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(tag: str, value: object) -> bool:
        while not stop.is_set():
            try:
                hand.put((tag, value), timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("done", None)
        except BaseException as exc:  # handed to the caller, raised there
            put("error", exc)

    worker = threading.Thread(target=work, name="reunify-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            tag, value = hand.get()
            if tag == "done":
                return
            if tag == "error":
                assert isinstance(value, BaseException)
                raise value
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
