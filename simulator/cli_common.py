"""What every ``siepac`` command shares: the consoles, the mapping of user errors to exit code 2,
output-folder checks and escaping of text that comes from input.

The command modules (:mod:`simulator.cli`, :mod:`simulator.cli_batch`, :mod:`simulator.cli_charts`)
import from here and never from each other, so there is no import cycle.
"""

from __future__ import annotations

import errno
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from simulator.errors import EXIT_USER_ERROR, SiepacError

console = Console()
"""Standard output: progress, summaries, what was written."""
errors = Console(stderr=True)
"""Standard error: user errors (one paragraph each)."""


def text(value: object) -> str:
    """Return ``value`` as text safe to embed in console markup (names, descriptions, paths, keys
    and messages come from input and may hold square brackets such as ``[/bold]``)."""
    return escape(str(value))


def fail(exc: SiepacError | str) -> typer.Exit:
    """Print a user error as one paragraph and return the exit to raise."""
    errors.print(f"[bold red]error:[/] {text(exc)}", highlight=False, soft_wrap=True, markup=True)
    return typer.Exit(EXIT_USER_ERROR)


def os_error_message(exc: OSError) -> str:
    """Describe a failed file operation for the user (path and reason, no traceback)."""
    where = f"{exc.filename}: " if exc.filename else ""
    reason = exc.strerror or str(exc)
    return f"{where}cannot write: {reason}"


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn :class:`SiepacError` (bad input, failed solve) and failed writes into exit code 2."""
    try:
        yield
    except SiepacError as exc:
        raise fail(exc) from None
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.EEXIST, errno.ENOTDIR, errno.ENOSPC):
            raise
        raise fail(os_error_message(exc)) from None


def check_out_dir(path: Path, option: str = "--out") -> None:
    """Raise :class:`SiepacError` unless ``path`` is (or can be made) a writable folder.

    Checked before anything is solved, so that a run does not fail only when it writes. The
    deepest existing ancestor must be a folder in which a file can be created (tried with a
    temporary folder that is removed at once: permission bits do not bind the superuser, a
    read-only file system does); nothing else is created.
    """
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        what = "is a file" if existing == path else f"is under {existing}, which is a file"
        msg = f"option {option}: {path} {what}; give a folder for the results"
        raise SiepacError(msg)
    try:
        probe = tempfile.mkdtemp(prefix=".siepac-write-test.", dir=existing)
    except OSError as exc:
        msg = f"option {option}: cannot write in {existing} ({exc.strerror or exc}); give a writable folder"
        raise SiepacError(msg) from None
    Path(probe).rmdir()
