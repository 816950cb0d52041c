"""Search results kept per version of the search rows (``schema.state``), in each process.

Every transaction that changes search rows counts the version up in its own commit (``rows``). A
result is kept under the version read at the start of the search that computed it, with everything
else it depends on in its key: the visibility rule's cutoff (it moves at midnight), the scope, the
words and the filters. A request that starts after a commit reads the new version, so it never gets a
result from before that commit; a result stored under a version may only be newer than it (a change
committed while it was computed), which is what a request running a moment later would see anyway.
Several hosts share nothing but the version: each keeps its own results.

Like the Whoosh backend's per-generation caches, this serves what visitors repeat (the home page,
programme pages, a facet click, the next page) without counting the same rows again.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

SIZE = 2048


class Results:
    """The newest ``size`` results, by key (least recently used first out)."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        return None

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def remembered(self, key: Hashable | None, compute: Callable[[], Any]) -> Any:
        """``compute()``, kept under ``key`` (None: not kept, e.g. before the first version)."""
        if key is None:
            return compute()
        found = self.get(key)
        if found is None:
            found = compute()
            self.put(key, found)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
