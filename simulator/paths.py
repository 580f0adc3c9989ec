"""Where the shipped input data live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def grids_dir() -> Path:
    """Return the input-data folder (``$SIEPAC_GRIDS_DIR`` or the repository's ``grids/``)."""
    return Path(os.environ.get("SIEPAC_GRIDS_DIR", REPO_ROOT / "grids"))


def scenarios_dir() -> Path:
    """Return the folder of shipped scenario files."""
    return REPO_ROOT / "scenarios"
