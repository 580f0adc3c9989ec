"""Run folders: written whole, replaced atomically, safe against concurrent writers."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pandas as pd
import pypsa
import pytest

from simulator.files import is_temporary, write_atomic, write_text_atomic
from simulator.results.reuse import complete_run_manifest
from simulator.results.store import swap_into_place, write_run


def _kpis(writer: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"scenario": ["s"], "metric": ["writer"], "region": ["ALL"], "carrier": [""], "value": [writer], "unit": ["-"]}
    )


def test_two_writers_racing_on_one_run_folder_never_leave_it_missing_or_mixed(tmp_path: Path) -> None:
    """Two threads rewrite the same run folder 40 times each while a reader watches it:
    after the first write the folder is always there and always whole (its manifest and
    KPIs from the same writer), and no temporary folder is left behind."""
    network = pypsa.Network()
    write_run(tmp_path, "s", network, _kpis(0), {"writer": 0}, write_network=False)
    errors: list[BaseException] = []
    seen: list[str] = []
    stop = threading.Event()

    def writer(number: int) -> None:
        try:
            for _ in range(40):
                write_run(tmp_path, "s", network, _kpis(number), {"writer": number}, write_network=False)
        except BaseException as exc:  # reported below
            errors.append(exc)

    def reader() -> None:
        while not stop.is_set():
            try:  # both files through one handle on the folder, as it was when opened
                handle = os.open(tmp_path / "s", os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                seen.append("missing")
                continue
            try:  # a folder replaced while being read loses its files: read again
                with open(os.open("manifest.json", os.O_RDONLY, dir_fd=handle), encoding="utf-8") as file:
                    manifest = json.load(file)
                with open(os.open("kpis.csv", os.O_RDONLY, dir_fd=handle), encoding="utf-8") as file:
                    kpis = pd.read_csv(file)
            except FileNotFoundError:
                continue
            finally:
                os.close(handle)
            if int(kpis.value.iloc[0]) != manifest["writer"]:
                seen.append("mixed")

    threads = [threading.Thread(target=writer, args=(k,)) for k in (1, 2)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    assert not errors
    assert "missing" not in seen and "mixed" not in seen
    assert complete_run_manifest(tmp_path / "s")["writer"] in (1, 2)
    assert [p.name for p in tmp_path.iterdir()] == ["s"]


def test_swap_replaces_an_existing_folder_whole(tmp_path: Path) -> None:
    final, staging = tmp_path / "run", tmp_path / ".run.partial"
    final.mkdir()
    (final / "old.txt").write_text("old")
    staging.mkdir()
    (staging / "new.txt").write_text("new")
    swap_into_place(staging, final)
    assert [p.name for p in final.iterdir()] == ["new.txt"]
    assert not staging.exists()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    write_text_atomic(path, "old\n")

    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(path, fail)
    assert path.read_text() == "old\n"
    assert not [p for p in tmp_path.iterdir() if is_temporary(p)]
