"""The vectorised close of business: the book as Arrow columns, closed with polars.

Importing this package does not import polars, so that ``keep_freed_memory``
can still set polars' allocator up.
"""

from __future__ import annotations

import os
import sys

__all__ = ["ALLOCATOR", "keep_freed_memory"]

#: polars allocates through jemalloc, which by default hands freed pages back
#: to the kernel within moments. A close frees and allocates the same working
#: memory slice after slice, and fetching pages from the kernel again costs as
#: much as the computing on them (on a virtual machine, much more), so freed
#: pages are kept for ten seconds.
ALLOCATOR = ("_RJEM_MALLOC_CONF", "dirty_decay_ms:10000,muzzy_decay_ms:10000")


def keep_freed_memory() -> bool:
    """Set the allocator up unless the environment already says otherwise.

    It only works before polars is first imported; returns whether it was in time.
    """
    if "polars" in sys.modules:
        return False
    os.environ.setdefault(*ALLOCATOR)
    return True
