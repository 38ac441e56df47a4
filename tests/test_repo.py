"""The repository stays consistent: pins, README, notebooks, data provenance, CI entry."""

import importlib.machinery
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p for folder in ("lessons", "solutions", "assignments") for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


def pip_pins(lines):
    """{name: version} of the exact pins in requirement lines, names normalised."""
    pins = {}
    for line in lines:
        line = line.split("#")[0].split(";")[0].strip()  # no comment, no environment marker
        if line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name.lower())] = version
    return pins


def test_environment_yml_carries_the_same_pins_as_requirements():
    from dlcourse import lock

    text = (ROOT / "requirements.txt").read_text()
    environment = (ROOT / "environment.yml").read_text()
    assert environment == lock.environment_yml(text), "environment.yml is stale: run ./course lock"
    assert "  - python=3.11\n" in environment
    lines = environment.splitlines()
    conda_lines = [line.strip()[2:] for line in lines[lines.index("  - pip:") + 1:] if line.strip()]
    assert conda_lines == lock.requirement_lines(text)
    requirements = pip_pins(conda_lines)
    for package in ("tensorflow-cpu", "tensorflow", "keras", "jupyterlab", "notebook", "ipywidgets",
                    "nbgrader", "numpy"):
        assert package in requirements, f"{package} is not pinned"
    assert requirements["jupyterlab"].startswith("4.") and requirements["notebook"].startswith("7.")
    assert requirements["ipywidgets"].startswith("8.") and requirements["nbgrader"].startswith("0.9.")
    assert requirements["tensorflow-cpu"].startswith("2.") and requirements["keras"].startswith("3.")
    assert requirements["tensorflow"] == requirements["tensorflow-cpu"]


def test_gpu_extra_matches_the_pinned_tensorflow():
    requirements = pip_pins((ROOT / "requirements.txt").read_text().splitlines())
    gpu = pip_pins((ROOT / "requirements-gpu.txt").read_text().splitlines())
    assert "tensorflow-cpu" not in gpu and gpu["tensorflow"] == requirements["tensorflow-cpu"]
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'gpu = ["tensorflow[and-cuda]=={requirements["tensorflow-cpu"]}"]' in pyproject


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(notebook.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"cells {dirty} have outputs: strip them (nbstripout {path.name})"
    assert notebook.metadata.kernelspec.name == "python3"


def lessons():
    return sorted((ROOT / "lessons").glob("*.ipynb"))


@pytest.mark.parametrize("path", lessons(), ids=lambda p: p.name)
def test_lesson_is_numbered_and_seeded(path):
    assert re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", path.name)
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert "seed_everything(" in code or "setup_keras(" in code, "seed the notebook through dlcourse.runtime"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_links_to_the_notation_page_in_its_first_cell(path):
    first = nbformat.read(path, as_version=4).cells[0]
    links = re.findall(r"\]\(([^)]*NOTATION\.md)\)", first.source)
    assert first.cell_type == "markdown" and links, "link docs/NOTATION.md from the first cell"
    assert all((path.parent / link).resolve() == ROOT / "docs" / "NOTATION.md" for link in links), links


def readme_links():
    return set(re.findall(r"\]\(((?:lessons|assignments|solutions|docs)/[^)#]+)\)", (ROOT / "README.md").read_text()))


def test_readme_table_lists_every_lesson_and_assignment():
    links = readme_links()
    expected = {f"lessons/{p.name}" for p in lessons()}
    expected |= {f"assignments/{p.name}/{p.name}.ipynb" for p in (ROOT / "assignments").iterdir() if p.is_dir()}
    missing = expected - links
    assert not missing, f"add these to the README's table: {sorted(missing)}"


def test_readme_links_point_at_files_that_exist():
    broken = [link for link in readme_links() if not (ROOT / link).exists()]
    assert not broken, f"README links to missing files: {broken}"


def test_every_assignment_has_a_source_and_wrong_answers():
    sources = {p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()}
    released = {p.name for p in (ROOT / "assignments").iterdir() if p.is_dir()}
    with_wrong_answers = {p.parent.name for p in (ROOT / "tests" / "wrong_submissions").glob("*/*.py")}
    assert sources == released == with_wrong_answers


def test_every_data_file_says_where_it_comes_from():
    data = ROOT / "data"
    shipped = [p for p in data.iterdir() if p.is_file() and not p.name.endswith(".md")]
    assert shipped
    for path in shipped:
        provenance = data / f"{path.name}.source.md"
        assert provenance.is_file(), f"{path.name} needs {provenance.name} (source, licence)"
        assert "licen" in provenance.read_text().lower()
        assert path.name in (data / "README.md").read_text()


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "./course test" in readme and "./course lab" in readme
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-1] == "./course test"


def test_binder_installs_the_package_and_opens_lesson_01():
    assert "pip install --no-deps -e ." in (ROOT / "postBuild").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org" in readme and "lessons/01-images-as-arrays.ipynb" in readme


def test_nbstripout_filter_is_declared_for_notebooks():
    assert "*.ipynb filter=nbstripout" in (ROOT / ".gitattributes").read_text()


def test_xdist_groups_stay_on_one_worker(tmp_path):
    """The suite's expensive module fixtures rely on --dist loadgroup keeping a group on
    one worker (pytest 9.2 with pytest-xdist 3.8 silently stops doing so: xdist #1386)."""
    (tmp_path / "test_grouped.py").write_text(
        "import pytest\n"
        "pytestmark = pytest.mark.xdist_group('one')\n"
        "@pytest.mark.parametrize('i', range(6))\n"
        "def test_grouped(i):\n    pass\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider",
         "-v", "-o", "addopts=", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = set(re.findall(r"\[(gw\d+)\].*PASSED", done.stdout))
    assert len(workers) == 1, f"one xdist group ran on {len(workers)} workers:\n{done.stdout}"


def test_the_longest_work_is_handed_out_first():
    """`./course test` keeps the collection order (no xdist reordering), and conftest.py puts
    the longest units first: the browser halves, then A6's round trip, small modules last."""
    assert "--no-loadscope-reorder" in course_command_line()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests/test_checks.py", "tests/test_nbgrader.py", "tests/test_browser.py", "tests/test_site.py"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    first_site = next(i for i, test in enumerate(ids) if test.startswith("tests/test_site.py"))
    lessons = [i for i, test in enumerate(ids) if "test_lesson_runs_in_jupyterlab" in test]
    first_a6 = next(i for i, test in enumerate(ids) if "A6-" in test)
    first_check = next(i for i, test in enumerate(ids) if test.startswith("tests/test_checks.py"))
    assert max(lessons) < first_site < first_a6, "the site's tests come after every lesson's browser run, then A6"
    assert first_a6 < first_check, "small modules come last"


def course_command_line():
    spec = importlib.util.spec_from_loader("course", importlib.machinery.SourceFileLoader("course", str(ROOT / "course")))
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    return launcher.command_line("test", [], "python")
