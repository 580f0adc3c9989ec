"""The notebooks in notebooks/: stored without outputs and in sync with their jupytext scripts.

Executing them is separate (``make test`` runs ``pytest --nbmake notebooks/*.ipynb`` on a
reduced span; ``make notebooks`` on the full year). These checks are quick and catch a
notebook saved with its outputs, or one of the pair edited without the other.
"""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
SCRIPTS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py"))
EXPECTED = ("01_quickstart", "02_second_circuit", "03_pipeline_routes", "04_sweeps", "05_appraisal")
SPAN_VARIABLE = "SIEPAC_NOTEBOOK_DAYS"


def output_problems(notebook: Path) -> list[str]:
    """Return what is stored in a notebook beyond its cells: outputs, execution counts, widget state."""
    nb = nbformat.read(notebook, as_version=4)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{notebook.name} cell {i}: {len(cell.outputs)} output(s) stored")
        if cell.get("execution_count") is not None:
            problems.append(f"{notebook.name} cell {i}: execution count {cell.execution_count} stored")
    if "widgets" in nb.metadata:
        problems.append(f"{notebook.name}: widget state stored in the metadata")
    return problems


def _cells(path: Path) -> list[tuple[str, str]]:
    nb = jupytext.read(path)
    return [(cell.cell_type, cell.source.strip()) for cell in nb.cells]


def sync_problems(notebook: Path) -> list[str]:
    """Return how a notebook's cells differ from those of its paired percent script."""
    script = notebook.with_suffix(".py")
    if not script.is_file():
        return [f"{notebook.name}: no paired script {script.name}"]
    from_notebook, from_script = _cells(notebook), _cells(script)
    problems = []
    if len(from_notebook) != len(from_script):
        problems.append(f"{notebook.name} has {len(from_notebook)} cells, {script.name} {len(from_script)}")
    for i, (a, b) in enumerate(zip(from_notebook, from_script, strict=False)):
        if a != b:
            first = a[1].splitlines()[0] if a[1] else ""
            problems.append(f"cell {i} ({a[0]}, {first[:60]!r}) differs between {notebook.name} and {script.name}")
            break
    return problems


def fix_hint(problems: list[str]) -> str:
    return (
        "\n".join(problems) + "\nRegenerate the notebook from its script (outputs are dropped):\n"
        "  .venv/bin/jupytext --to ipynb notebooks/NN_name.py\n"
        "or, after editing the .ipynb in Jupyter, update the script and strip outputs:\n"
        "  .venv/bin/jupytext --sync notebooks/NN_name.ipynb && .venv/bin/jupytext --to ipynb notebooks/NN_name.py"
    )


def test_the_four_notebooks_and_their_scripts_exist() -> None:
    assert [p.stem for p in NOTEBOOKS] == list(EXPECTED)
    assert [p.stem for p in SCRIPTS] == list(EXPECTED)
    assert (NOTEBOOKS_DIR / "jupytext.toml").is_file()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(notebook: Path) -> None:
    problems = output_problems(notebook)
    assert not problems, fix_hint(problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_matches_its_script(notebook: Path) -> None:
    problems = sync_problems(notebook)
    assert not problems, fix_hint(problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_asks_a_question_and_answers_it_from_its_numbers(notebook: Path) -> None:
    nb = nbformat.read(notebook, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "nbmake runs the kernel named here"
    first, answer_heading, answer = nb.cells[0], nb.cells[-2], nb.cells[-1]
    assert first.cell_type == "markdown"
    assert "**The question.**" in first.source
    assert answer_heading.cell_type == "markdown"
    assert answer_heading.source.strip() == "## The answer"
    assert answer.cell_type == "code"
    assert "Markdown(" in answer.source, "the answer is formatted from computed values"
    assert "{SPAN}" in answer.source, "the answer says which span its numbers cover"
    source = "\n".join(cell.source for cell in nb.cells)
    assert SPAN_VARIABLE in source, f"the notebook must read {SPAN_VARIABLE} to run on a reduced span"


def _copy_pair(notebook: Path, tmp_path: Path) -> Path:
    copy = tmp_path / notebook.name
    copy.write_text(notebook.read_text(encoding="utf-8"), encoding="utf-8")
    script = notebook.with_suffix(".py")
    copy.with_suffix(".py").write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def test_the_checks_catch_an_executed_notebook(tmp_path: Path) -> None:
    copy = _copy_pair(NOTEBOOKS[0], tmp_path)
    raw = json.loads(copy.read_text(encoding="utf-8"))
    code = next(cell for cell in raw["cells"] if cell["cell_type"] == "code")
    code["execution_count"] = 1
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hello\n"]}]
    copy.write_text(json.dumps(raw), encoding="utf-8")
    problems = output_problems(copy)
    assert any("output(s) stored" in p for p in problems)
    assert any("execution count 1" in p for p in problems)
    assert sync_problems(copy) == []  # outputs do not make the pair differ


def test_the_checks_catch_a_stale_pair(tmp_path: Path) -> None:
    copy = _copy_pair(NOTEBOOKS[0], tmp_path)
    script = copy.with_suffix(".py")
    script.write_text(script.read_text(encoding="utf-8").replace("start = f", "start = f'' + f", 1), encoding="utf-8")
    assert any("differs" in p for p in sync_problems(copy))
    script.write_text(script.read_text(encoding="utf-8") + "\n# %%\nprint('one cell more')\n", encoding="utf-8")
    assert any("cells" in p for p in sync_problems(copy))
    script.unlink()
    assert sync_problems(copy) == [f"{copy.name}: no paired script {script.name}"]
