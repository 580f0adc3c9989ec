"""Batches on Dask: planning and keys, failures recorded, killed workers and killed batches resume,
the manifest and the KPI table agree with the run folders."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator import batch
from simulator.batch.plan import folder_key, plan_batch, run_key, scenario_json
from simulator.batch.result import NOT_SWEPT
from simulator.cli import app
from simulator.errors import ScenarioError
from simulator.files import is_temporary
from simulator.paths import scenarios_dir
from simulator.scenario import load_scenarios
from simulator.solve import available_cores

runner = CliRunner()

SHORT = "extends: base_2022.yaml\nsolve: {start_date: 2022-03-07, days: 1}\n"
INFEASIBLE = "fleet:\n  - {country: NI, technology: geothermal, action: add, capacity_mw: 10000}\n"


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"{SHORT}name: {name}\n{body}", encoding="utf-8")
    return path


def sweep(folder: Path, name: str = "growth", values: str = "[1.0, 1.1]", days: int = 1) -> Path:
    path = write(folder, name, f"sweep:\n  parameters:\n    demand.growth.GT: {values}\n")
    if days != 1:
        path.write_text(path.read_text().replace("days: 1", f"days: {days}"), encoding="utf-8")
    return path


def run_folders(batch_dir: Path) -> set[str]:
    return {p.name for p in batch_dir.iterdir() if p.is_dir() and not p.name.startswith(".")}


def assert_consistent(batch_dir: Path) -> dict:
    """The manifest, both KPI tables and the run folders tell the same story; return the manifest."""
    manifest = json.loads((batch_dir / "manifest.json").read_text())
    complete = {r["scenario"] for r in manifest["runs"] if r["status"] == "complete"}
    assert complete == run_folders(batch_dir) - set(manifest["unlisted_folders"])
    assert not [p.name for p in batch_dir.iterdir() if p.name.endswith((".partial", ".replaced")) or is_temporary(p)]
    names = [r["scenario"] for r in manifest["runs"]]
    assert len(names) == len(set(names))
    parquet = pd.read_parquet(batch_dir / "kpis.parquet")
    csv = pd.read_csv(batch_dir / "kpis.csv", keep_default_na=False, na_values=[""]).fillna({"carrier": ""})
    assert list(parquet.columns) == list(csv.columns)
    assert list(parquet.columns[:6]) == ["scenario", "metric", "region", "carrier", "value", "unit"]
    assert list(parquet.columns[6:]) == manifest["swept_parameters"]
    pd.testing.assert_series_equal(parquet.value, csv.value, check_exact=False, rtol=1e-9)
    assert set(parquet.scenario) == complete
    for record in manifest["runs"]:
        if record["status"] != "complete":
            continue
        folder = batch_dir / record["scenario"]
        assert folder_key(folder) == record["key"]
        own = pd.read_csv(folder / "kpis.csv")
        rows = parquet[parquet.scenario == record["scenario"]]
        assert len(rows) == len(own)  # no run counted twice
        assert rows.value.to_numpy() == pytest.approx(own.value.to_numpy())
        for key in manifest["swept_parameters"]:
            if key in record["swept"]:
                assert set(rows[key]) == {record["swept"][key]}
            else:
                assert rows[key].isna().all()
    return manifest


# -- planning (no solves) -------------------------------------------------------------------


def test_plan_expands_sweeps_keeps_invalid_variants_and_keys_runs(tmp_path: Path) -> None:
    path = sweep(tmp_path, values="[1.0, 1.1, 0.1]")
    plan = plan_batch([path], tmp_path / "out")
    assert plan.name == "growth" and plan.path == (tmp_path / "out" / "batch-growth").resolve()
    assert [j.name for j in plan.jobs] == ["growth-GT_1", "growth-GT_1.1", "growth-GT_0.1"]
    invalid = plan.invalid
    assert [j.name for j in invalid] == ["growth-GT_0.1"]
    assert "growth factor for GT must be between 0.5 and 3.0, found 0.1" in str(invalid[0].problem)
    assert invalid[0].key is None and invalid[0].swept == {"demand.growth.GT": 0.1}
    keys = [j.key for j in plan.to_run]
    assert len(set(keys)) == 2 and keys == [j.key for j in plan_batch([path], tmp_path / "out").to_run]
    assert plan.swept_parameters == ["demand.growth.GT"]
    job = plan.jobs[0]
    assert job.scenario is not None
    base = run_key(job.scenario, plan.input_data_sha256, plan.packages, None)
    assert base == job.key
    assert run_key(job.scenario, "other data", plan.packages, None) != base
    assert run_key(job.scenario, plan.input_data_sha256, {**plan.packages, "pypsa": "9.9"}, None) != base
    assert run_key(job.scenario, plan.input_data_sha256, plan.packages, {"name": "ref"}) != base


def test_plan_rejects_unreadable_files_clashing_names_and_bad_batch_names(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="scenario file not found"):
        plan_batch([tmp_path / "missing.yaml"], tmp_path)
    first = write(tmp_path, "same", "")
    (tmp_path / "copy.yaml").write_text(first.read_text(), encoding="utf-8")
    with pytest.raises(ScenarioError, match="two runs are named 'same'"):
        plan_batch([first, tmp_path / "copy.yaml"], tmp_path)
    with pytest.raises(ScenarioError, match="batch name"):
        plan_batch([first], tmp_path, name="../escape")
    assert plan_batch([first, sweep(tmp_path)], tmp_path).name == "same+growth"
    assert [j.name for j in plan_batch([first, tmp_path / "same.yaml"], tmp_path).jobs] == ["same"]


def test_scenarios_from_python_plan_like_files(tmp_path: Path) -> None:
    scenarios = load_scenarios(sweep(tmp_path))
    plan = plan_batch(scenarios, tmp_path, name="python")
    assert [(j.name, j.source, j.swept) for j in plan.jobs] == [
        ("growth-GT_1", None, {"demand.growth.GT": 1.0}),
        ("growth-GT_1.1", None, {"demand.growth.GT": 1.1}),
    ]
    assert [j.key for j in plan.jobs] == [j.key for j in plan_batch([sweep(tmp_path)], tmp_path).jobs]


def test_references_become_their_own_jobs_shared_by_name(tmp_path: Path) -> None:
    # Full-year solve sections (nothing is solved here): both anchors share the reference
    # folder base_2022, which is also a run asked for in its own right.
    anchors = [scenarios_dir() / "anchor_tapachula.yaml", scenarios_dir() / "anchor_lng.yaml"]
    plan = plan_batch([*anchors, scenarios_dir() / "base_2022.yaml"], tmp_path)
    assert [(j.name, j.role, j.reference) for j in plan.jobs] == [
        ("anchor_tapachula", "variant", "base_2022"),
        ("anchor_lng", "variant", "base_2022"),
        ("base_2022", "variant", None),
    ]
    assert plan.to_run[0].name == "base_2022"  # submitted first: the anchors' tasks depend on it
    # A reference with a reference of its own: the chain is run from its end.
    nested = tmp_path / "nested.yaml"
    nested.write_text("extends: anchor_lng.yaml\nname: nested\nreference: anchor_tapachula\n", encoding="utf-8")
    plan = plan_batch([nested], tmp_path)
    assert [(j.name, j.reference) for j in plan.to_run] == [
        ("base_2022", None),
        ("anchor_tapachula", "base_2022"),
        ("nested", "anchor_tapachula"),
    ]
    plan = plan_batch(anchors, tmp_path)
    assert (plan.to_run[0].name, plan.to_run[0].role) == ("base_2022", "reference")
    assert sum(j.name == "base_2022" for j in plan.jobs) == 1
    # A shorter span makes a reference of its own for each variant (run.reference_run's naming).
    short = write(tmp_path, "short_anchor", "reference: base_2022\ngas: {route: lng}\n")
    assert [j.name for j in plan_batch([short], tmp_path).jobs] == ["short_anchor", "base_2022--for-short_anchor"]


@pytest.mark.parametrize("name", ["base_2023.yaml", "sweep_lng_mexico.yaml", "anchor_tapachula.yaml"])
def test_resolved_scenarios_survive_the_trip_to_a_worker(name: str) -> None:
    for scenario in load_scenarios(scenarios_dir() / name):
        assert scenario_json(scenario) == scenario.model_dump(mode="json")


def test_failure_kinds_without_a_cluster(tmp_path: Path) -> None:
    from distributed import KilledWorker

    from simulator.batch.execute import _death_record
    from simulator.batch.plan import Job
    from simulator.batch.tasks import classify_solve_error, run_job

    assert classify_solve_error("solve ended with status 'warning', condition 'infeasible'") == "infeasible"
    assert classify_solve_error("solve ended with status 'warning', condition 'time_limit'") == "solver_status"
    failed_reference = {"scenario": "base_2022", "status": "failed", "failure": "infeasible", "reason": "no"}
    record = run_job({"scenario": {"name": "variant"}}, failed_reference)
    assert (record["status"], record["failure"], record["scenario"]) == ("failed", "reference_failed", "variant")
    assert "reference base_2022 failed (infeasible)" in record["reason"]
    job = Job("variant", "variant", None)

    class Client:
        def get_events(self, topic: str) -> tuple:
            return ((0.0, {"worker": "tcp://w:1", "rss": 2**30}),) if topic == "worker-restart-memory" else ()

    worker = type("WorkerState", (), {"address": "tcp://w:1"})()
    own, dependency = KilledWorker("key-v", worker, 1), KilledWorker("key-r", worker, 1)
    assert _death_record(own, "key-v", job, Client(), {})["failure"] == "out_of_memory"
    worker.address = "tcp://w:2"
    assert _death_record(own, "key-v", job, Client(), {})["failure"] == "worker_died"
    assert _death_record(dependency, "key-v", job, Client(), {"key-r": "ref"})["failure"] == "reference_failed"
    with pytest.raises(ScenarioError, match="not a batch folder"):
        batch.load_batch(tmp_path)


# -- running on Dask ------------------------------------------------------------------------


def test_two_workers_finish_the_others_and_report_infeasible_and_invalid(tmp_path: Path) -> None:
    files = [
        sweep(tmp_path, values="[1.0, 1.1, 0.1]"),
        write(tmp_path, "infeasible", INFEASIBLE),
        write(tmp_path, "withref", "reference: base_2022\ngrid: {second_circuit: true}\n"),
    ]
    seen: list[str] = []
    result = batch.run(files, tmp_path / "out", name="mixed", workers=2, on_result=lambda r: seen.append(r.scenario))
    status = {r.scenario: (r.status, r.failure) for r in result.records}
    assert status == {
        "growth-GT_1": ("complete", None),
        "growth-GT_1.1": ("complete", None),
        "growth-GT_0.1": ("failed", "invalid"),
        "infeasible": ("failed", "infeasible"),
        "withref": ("complete", None),
        "base_2022--for-withref": ("complete", None),
    }
    assert sorted(seen) == sorted(status)
    assert not result.ok and {r.scenario for r in result.failed} == {"growth-GT_0.1", "infeasible"}
    assert "growth factor for GT must be between 0.5 and 3.0" in str(result.failed[0].reason)
    assert "infeasible" in str(result.failed[1].reason)
    manifest = assert_consistent(result.path)
    assert manifest["state"] == "finished" and manifest["cluster"] == {"scheduler": "LocalCluster", "workers": 2}
    assert manifest["counts"] == {
        "runs": 6,
        "complete": 4,
        "solved": 4,
        "reused": 0,
        "failed": 2,
        "cancelled": 0,
        "pending": 0,
    }
    solved = [r for r in manifest["runs"] if r["action"] == "solved"]
    assert all(r["wall_time_s"] > 0 and 100 < r["peak_memory_mb"] < 4000 and r["worker"] for r in solved)
    # the variant compared itself with the reference that ran as its own task
    withref = pd.read_csv(result.path / "withref" / "kpis.csv")
    assert "price_change" in set(withref.metric)
    run_manifest = json.loads((result.path / "withref" / "manifest.json").read_text())
    assert Path(run_manifest["reference"]["path"]).name == "base_2022--for-withref"
    pd.testing.assert_frame_equal(result.kpis, pd.read_parquet(result.path / "kpis.parquet"))

    networks = result.networks()
    assert list(networks.index.names) == ["scenario", "demand.growth.GT"]
    assert ("growth-GT_1.1", 1.1) in set(networks.index)
    assert ("withref", NOT_SWEPT) in set(networks.index)
    assert len(networks.index) == 4

    # Again: the complete runs (the reference too) are skipped, the failed one is tried again.
    again = plan_batch(files, tmp_path / "out", name="mixed")
    assert {j.name for j in again.reused} == {r.scenario for r in result.complete}
    assert [j.name for j in again.to_run] == ["infeasible"]
    assert batch.load_batch(result.path).kpis.equals(result.kpis)


def test_cli_progress_summary_fail_fast_and_exit_codes(tmp_path: Path) -> None:
    files = [str(write(tmp_path, "infeasible", INFEASIBLE)), str(sweep(tmp_path))]
    out = str(tmp_path / "out")
    result = runner.invoke(app, ["batch", *files, "--out", out, "--workers", "1", "--fail-fast"])
    assert result.exit_code == 1, result.output
    cores = available_cores()
    assert f"Solving 3 runs on a local Dask cluster of 1 worker ({cores} core{'s' if cores > 1 else ''} per run)" in (
        result.output
    )
    assert "infeasible: infeasible (the problem is infeasible)" in result.output
    assert "Stopped at the first failure (--fail-fast)" in result.output
    manifest = assert_consistent(tmp_path / "out" / "batch-infeasible+growth")
    assert manifest["state"] == "stopped" and manifest["counts"]["cancelled"] >= 1

    result = runner.invoke(app, ["batch", files[1], "--out", out, "--name", "sweep"])
    assert result.exit_code == 0, result.output
    assert "Batch sweep: 2 complete (2 solved, 0 reused)" in result.output
    assert "Written " in result.output and "kpis.parquet" in result.output
    result = runner.invoke(app, ["batch", files[1], "--out", out, "--name", "sweep"])
    assert result.exit_code == 0 and "Skipping 2 complete runs" in result.output and "Nothing to solve" in result.output
    # a run of an earlier definition of the batch is kept, and named
    shutil.copytree(tmp_path / "out" / "batch-sweep" / "growth-GT_1", tmp_path / "out" / "batch-sweep" / "old")
    result = runner.invoke(app, ["batch", files[1], "--out", out, "--name", "sweep"])
    assert "1 run folder in the batch folder is not part of this batch (an earlier definition?): old" in result.output
    manifest = assert_consistent(tmp_path / "out" / "batch-sweep")
    assert manifest["unlisted_folders"] == ["old"] and manifest["cluster"] == {"scheduler": None, "workers": 0}

    for args in (["batch", str(tmp_path / "nope.yaml")], ["batch", files[1], "--scheduler", "tcp://x:1", "-w", "2"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "error:" in result.output and "Traceback" not in result.output


def test_a_killed_worker_is_replaced_and_every_run_completes_once(tmp_path: Path) -> None:
    import dask
    from distributed import Client, LocalCluster

    path = sweep(tmp_path, values="[1.0, 1.05, 1.1]", days=2)
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        killed: list[int] = []

        def kill_a_busy_worker() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not killed:
                busy = [address for address, keys in client.processing().items() if keys]
                if busy:
                    time.sleep(1.5)  # well into the build or the solve
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                time.sleep(0.05)

        killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
        killer.start()
        # through the scheduler's address, as `--scheduler` does
        result = batch.run([path], tmp_path / "out", scheduler=cluster.scheduler_address)
        killer.join()
        assert killed and killed[0] not in client.run(os.getpid).values()
    assert result.ok, [(r.scenario, r.failure, r.reason) for r in result.records]
    assert len(result.records) == 3 and all(r.action == "solved" for r in result.records)
    manifest = assert_consistent(result.path)
    assert manifest["cluster"] == {"scheduler": cluster.scheduler_address, "workers": 2}
    assert manifest["options"]["cores_per_run"] == 1


def test_a_run_over_the_memory_limit_is_recorded_as_out_of_memory(tmp_path: Path) -> None:
    import dask
    from distributed import Client, LocalCluster

    settings = {"distributed.scheduler.allowed-failures": 0, "distributed.worker.memory.terminate": 0.95}
    with (
        dask.config.set(settings),
        LocalCluster(
            n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, memory_limit="350 MiB"
        ) as cluster,
        Client(cluster) as client,
    ):
        result = batch.run([write(tmp_path, "big", "")], tmp_path / "out", client=client)
    (record,) = result.records
    assert (record.status, record.failure) == ("failed", "out_of_memory"), record.reason
    assert "memory limit" in str(record.reason)
    assert_consistent(result.path)


def test_a_killed_batch_resumes_and_ends_with_every_run_complete_once(tmp_path: Path) -> None:
    path = sweep(tmp_path, values="[1.0, 1.05, 1.1, 1.15]")
    out = tmp_path / "out"
    batch_dir = out / "batch-growth"
    command = [sys.executable, "-c", "from simulator.cli import app; app()", "batch", str(path), "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the cluster's workers die with it
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if batch_dir.is_dir() and any((batch_dir / n / "manifest.json").is_file() for n in run_folders(batch_dir)):
                break
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    before = {n: (batch_dir / n / "manifest.json").read_text() for n in run_folders(batch_dir)}
    assert 1 <= len(before) < 4
    manifest = json.loads((batch_dir / "manifest.json").read_text())
    assert manifest["state"] == "running" and manifest["counts"]["pending"] >= 1

    result = runner.invoke(app, ["batch", str(path), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert f"Skipping {len(before)} complete run" in result.output
    manifest = assert_consistent(batch_dir)
    assert manifest["state"] == "finished" and manifest["counts"]["complete"] == 4
    assert {r["scenario"] for r in manifest["runs"] if r["action"] == "reused"} == set(before)
    assert {n: (batch_dir / n / "manifest.json").read_text() for n in before} == before
