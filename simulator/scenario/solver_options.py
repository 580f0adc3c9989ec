"""Check ``solve.solver_options`` against HiGHS's own option list, types and bounds.

HiGHS reports an unknown option or a bad value only in its log and solves on without it, so
a typo would silently change nothing while the manifest records it. Here every option is
asked of HiGHS when the scenario is validated: the name must be one of its options (the
closest is suggested otherwise), the value must have the option's type (bool, integer,
number or text) and HiGHS must accept it (bounds, allowed words such as ``solver: ipm``).
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any

_EXPECTED = {"kBool": "true or false", "kInt": "a whole number", "kDouble": "a number", "kString": "text"}


@cache
def highs_option_names() -> tuple[str, ...]:
    """Return the names of every HiGHS option (from ``highspy.Highs().getOptions()``)."""
    import highspy

    options = highspy.Highs().getOptions()
    return tuple(sorted(n for n in dir(options) if not n.startswith("_") and not callable(getattr(options, n))))


@contextmanager
def _captured_c_output() -> Iterator[list[str]]:
    """Collect what HiGHS prints on the C-level standard output (its reasons for refusing a value)."""
    lines: list[str] = []
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield lines
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            sink.seek(0)
            lines.extend(line.strip() for line in sink.read().decode(errors="replace").splitlines() if line.strip())


def _type_problem(kind: str, value: Any) -> bool:
    """Return True if ``value`` does not have the Python type HiGHS's option ``kind`` takes."""
    if kind == "kBool":
        return not isinstance(value, bool)
    if kind == "kInt":
        return isinstance(value, bool) or not isinstance(value, int)
    if kind == "kDouble":
        return isinstance(value, bool) or not isinstance(value, int | float)
    return not isinstance(value, str)


def solver_option_problems(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return ``(option, message)`` for each option HiGHS does not know or would refuse (empty if all are fine).

    Parameters
    ----------
    options
        Option name -> value, as in ``solve.solver_options``.
    """
    if not options:
        return []
    import highspy

    names = highs_option_names()
    problems: list[tuple[str, str]] = []
    highs = highspy.Highs()
    for name, value in options.items():
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else " (see the HiGHS documentation of options)"
            problems.append((name, f"unknown HiGHS option `{name}`{hint}"))
            continue
        kind = highs.getOptionType(name)[1].name
        if _type_problem(kind, value):
            quote = (
                "; YAML reads unquoted on/off/yes/no as true/false: quote the word"
                if kind == "kString" and isinstance(value, bool)
                else ""
            )
            problems.append((name, f"HiGHS option `{name}` takes {_EXPECTED.get(kind, kind)}, found {value!r}{quote}"))
            continue
        with _captured_c_output() as said:
            status = highs.setOptionValue(name, value)
        if status != highspy.HighsStatus.kOk:
            reason = "; ".join(re.sub(r"^(ERROR|WARNING):\s*", "", line) for line in said) or "HiGHS refused it"
            problems.append((name, f"HiGHS option `{name}`: value {value!r} refused ({reason})"))
    return problems
