"""A small in-process cache: a thread-safe map that forgets the least recently used."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A thread-safe map of at most ``size`` entries that forgets the least recently
    used first; ``get`` may drop an entry the caller no longer accepts."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, key: K, accept: Callable[[V], bool] | None = None) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                return None
            if accept is not None and not accept(value):
                del self._items[key]
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = 0
