"""Progress bars for the long commands (`index`, `evaluate`, `train --cv`), on a terminal only.

A bar on stderr tells someone at a terminal that a 10-minute run is moving; in a log
file, a pipe or CI it would be noise, so it is off unless stderr is a terminal
(`FICHAS_PROGRESS=1` forces it on, `0` off). tqdm is already a dependency.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def enabled() -> bool:
    """Whether bars are drawn: `$FICHAS_PROGRESS` if set, else whether stderr is a terminal."""
    forced = os.environ.get("FICHAS_PROGRESS")
    if forced in ("0", "1"):
        return forced == "1"
    return sys.stderr.isatty()


def progress(
    items: Iterable[T], desc: str, total: int | None = None, unit: str = "doc"
) -> Iterator[T]:
    """`items`, unchanged, with a bar on stderr when `enabled()`; the total is `len(items)`
    when it has one."""
    if not enabled():
        yield from items
        return
    from tqdm import tqdm

    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with tqdm(items, desc=desc, total=total, unit=unit, leave=False, file=sys.stderr) as bar:
        yield from bar
