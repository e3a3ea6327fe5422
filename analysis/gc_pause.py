"""Pausing Python's cyclic garbage collector while a reader builds millions of acyclic objects.

Reading every answer creates about twenty objects per answer (a DB-API row tuple and its
values), all at once, and none of them can form a reference cycle. Each such burst of
allocations triggers collections of the oldest generation, which walk every tracked object in
the process (the rows themselves, and every module pandas, plotly and SQLAlchemy loaded): at
100,000 answers that was a fifth of reading the analysis frame and a tenth of an HTML export
(issue 14). Reference counting still frees everything as usual while the collector is paused;
only cycles wait for it to resume.

The collector's switch is process-wide and Streamlit serves sessions from threads, so pauses are
counted: the collector resumes when the last overlapping pause ends, and only if it was running
when the first began (a caller that disabled it on purpose keeps it disabled).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the body with the cyclic collector paused (re-entrant and thread-safe)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
