"""Pages kept in memory until the mapping changes: built once, served many times.

A page's dict depends only on the stored data and its parameters, so it is kept under its
parameters and the store's data version (a fingerprint that changes with every import,
classification or review; see analysis.frame.data_version, an index lookup). Each process
keeps its own; a change made through another process changes the version, so no page is ever
served stale. Callers get a deep copy, free to change it.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from tcmap.analysis.frame import data_version


class PageMemo:
    """A small LRU of page dicts keyed by (database, data version, the page's parameters)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._pages: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session, key: Hashable, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The page under `key` for the data as they are now; `build()` makes it when absent."""
        if self.size <= 0:
            return build()
        full = (id(session.get_bind()), data_version(session), key)
        with self._lock:
            page = self._pages.get(full)
            if page is not None:
                self._pages.move_to_end(full)
        if page is None:
            page = build()
            with self._lock:
                self._pages[full] = page
                while len(self._pages) > self.size:
                    self._pages.popitem(last=False)
        return copy.deepcopy(page)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
