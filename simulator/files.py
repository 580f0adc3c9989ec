"""Writing output files so that a reader never sees half of one: write a temporary, then rename."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path


def temporary_sibling(path: Path) -> Path:
    """Return a hidden, unique name next to ``path`` that keeps its suffix (``.name.<token>.tmp.csv``).

    The token makes concurrent writers of the same file use different temporaries; the
    suffix stays last so that writers that choose a format by extension (matplotlib,
    pandas' Excel writer) still do.
    """
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    return path.with_name(f".{path.stem}.{token}.tmp{path.suffix}")


TEMPORARY_NAME = re.compile(r"^\..*\.tmp(\.[^.]*)?$")


def is_temporary(path: Path) -> bool:
    """True for a name :func:`temporary_sibling` makes (a leftover of an interrupted write)."""
    return bool(TEMPORARY_NAME.match(path.name))


def write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary sibling of ``path``, then rename it onto ``path``.

    The rename is atomic on one file system: readers see the old file or the new one. If
    ``write`` fails, the temporary is removed and ``path`` is untouched.

    Returns
    -------
    Path
        ``path``.
    """
    tmp = temporary_sibling(path)
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text to ``path`` atomically (see :func:`write_atomic`)."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
