"""The GPU check (`./course bench --gpu`): which notebooks it runs, what it refuses, the
table it writes and the CPU reference it reads, on a tiny notebook (no lesson is run)."""

import json
from pathlib import Path

import nbformat
import pytest

from dlcourse import bench, gpucheck
from dlcourse.nbrun import COURSE_ROOT

NO_GPU = {"gpus": [], "tensorflow": "2.21.0", "cuda": None, "cudnn": None}


def tiny_notebook(folder):
    """A notebook that sets Keras up as the lessons do and reports two results."""
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from dlcourse import runtime\nkeras = runtime.setup_keras(0)"),
        nbformat.v4.new_code_cell('runtime.report("test accuracy", 0.91234)\nruntime.report("test MAE", 12.5)'),
    ])
    path = folder / "tiny.ipynb"
    nbformat.write(notebook, path)
    return path


def table_rows(page):
    """The table of a gpu-check.md page as a list of cell lists, header first."""
    rows = [line.strip("|").split("|") for line in page.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row] for row in rows if not set("".join(row)) <= set("-: ")]


def test_the_check_runs_every_notebook_that_sets_up_keras():
    names = [gpucheck.name_of(path) for path in gpucheck.keras_notebooks()]
    for number in range(10, 15):
        assert any(name.startswith(f"lessons/{number}-") for name in names), number
    assert "solutions/A6-keras-cnn-lstm/A6-keras-cnn-lstm.ipynb" in names
    assert not any(name.startswith(("lessons/01-", "lessons/02-", "lessons/04-")) for name in names)


def test_without_a_gpu_the_check_refuses_in_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(gpucheck, "probe_devices", lambda extra_env=None: NO_GPU)
    output = tmp_path / "gpu-check.md"
    assert bench.main(["--gpu", "--output", str(output)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert "no GPU" in captured.err and "--allow-cpu" in captured.err and "./course lab --gpu" in captured.err
    assert not output.exists()


def test_the_check_writes_a_row_per_notebook_with_device_seconds_and_results(tmp_path, capsys):
    notebook = tiny_notebook(tmp_path)
    reference = tmp_path / "cpu-reference.json"
    reference.write_text(json.dumps({
        "measured": "2025-01-01",
        "machine": {"cpu": "a test CPU", "cores": 2, "tensorflow": "2.21.0", "python": "3.11"},
        "notebooks": {"tiny.ipynb": {"seconds": 100.0, "results": {"test accuracy": "0.9"}, "error": ""}},
    }))
    output = tmp_path / "gpu-check.md"
    status = bench.main(["--gpu", "--allow-cpu", "--output", str(output), "--reference", str(reference),
                         str(notebook)])
    page = output.read_text()
    assert status == 0 and capsys.readouterr().out.strip() == page.strip()
    header, *rows = table_rows(page)
    assert header[:5] == ["notebook", "trained on", "here (s)", "2-core CPU (s)", "speed-up"]
    assert [row[0] for row in rows] == ["tiny.ipynb"] and len(rows[0]) == len(header)
    row = dict(zip(header, rows[0]))
    assert row["trained on"].startswith(("CPU, ", "GPU: "))
    assert 0 < float(row["here (s)"]) < 120 and row["2-core CPU (s)"] == "100.0"
    assert row["results here"] == "test accuracy = 0.9123; test MAE = 12.5"
    assert row["results on the CPU"] == "test accuracy = 0.9"
    if "no GPU" in page:
        assert "Not a GPU run" in page


def test_the_speed_up_is_cpu_seconds_over_gpu_seconds_and_failures_show_their_error():
    runs = [gpucheck.Run("lessons/a.ipynb", 10.0, "GPU: H200", {"accuracy": "0.9"}),
            gpucheck.Run("lessons/b.ipynb", 20.0, "GPU: H200", {"MAE": "12"}),
            gpucheck.Run("lessons/c.ipynb", None, "GPU: H200", {}, "AssertionError: accuracy 0.5 is below 0.9")]
    reference = {"measured": "2025-01-01", "machine": {"cpu": "x", "cores": 2, "tensorflow": "2.21.0"},
                 "notebooks": {"lessons/a.ipynb": {"seconds": 50.0}, "lessons/b.ipynb": {"seconds": 40.0},
                               "lessons/c.ipynb": {"seconds": 30.0}}}
    devices = dict(NO_GPU, gpus=["NVIDIA H200 (compute capability 9.0)"])
    page, summary = gpucheck.table_page(runs, devices, reference, quick=False)
    header, *rows = table_rows(page)
    assert header[2:5] == ["GPU (s)", "2-core CPU (s)", "speed-up"]
    assert [row[4] for row in rows] == ["5.0x", "2.0x", "-"]
    assert rows[2][2] == "failed" and "AssertionError: accuracy 0.5 is below 0.9" in rows[2][5]
    assert summary == ("Speed-up over a 2-core CPU: 2.0x (lessons/b.ipynb) to 5.0x (lessons/a.ipynb); "
                       "the 2 notebooks together 3.0x.")
    assert summary in page and "NVIDIA H200" in page


@pytest.mark.parametrize("text, device", [
    ("Training on GPU: NVIDIA H200\n", "GPU: NVIDIA H200"),
    ("No GPU found: training on the CPU (2 cores). Every cell still runs; ...\n", "CPU, 2 cores"),
    ("nothing said\n", "not printed"),
])
def test_the_device_and_results_are_read_from_the_printed_lines(text, device):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
    notebook.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                        text=text + "Result: sequence accuracy (dot) = 0.97\n")]
    run = gpucheck.read_run(notebook, "x")
    assert run.device == device and run.results == {"sequence accuracy (dot)": "0.97"}


def test_the_cpu_reference_hides_the_gpus_and_records_cores_and_results(tmp_path):
    notebook = tiny_notebook(tmp_path)
    reference = tmp_path / "cpu-reference.json"
    assert bench.main(["--cpu-reference", "--cores", "1", "--reference", str(reference), str(notebook)]) == 0
    written = json.loads(reference.read_text())
    assert written["machine"]["cores"] == 1 and written["machine"]["tensorflow"]
    entry = written["notebooks"]["tiny.ipynb"]
    assert entry["seconds"] > 0 and entry["error"] == ""
    assert entry["device"] == "CPU, 1 cores" and entry["results"]["test MAE"] == "12.5"


def test_the_committed_table_and_reference_are_where_the_readme_says():
    readme = (COURSE_ROOT / "README.md").read_text()
    assert "./course bench --gpu" in readme and "docs/gpu-check.md" in readme
    assert gpucheck.TABLE.exists()


def test_notebooks_named_on_the_command_line_replace_only_their_own_rows(monkeypatch, tmp_path, capsys):
    """A long check can run in parts (one command per part): rows of the same device are kept."""
    device = {"gpus": ["NVIDIA H200 (compute capability 9.0)"]}
    monkeypatch.setattr(gpucheck, "probe_devices", lambda extra_env=None: dict(NO_GPU, **device))
    monkeypatch.setattr(gpucheck, "run_all", lambda paths, quick, out_dir, extra_env=None: [
        gpucheck.Run(gpucheck.name_of(path), 1.0, "GPU: NVIDIA H200", {"accuracy": "0.9"}) for path in paths])
    output = tmp_path / "gpu-check.md"
    lesson = lambda number: str(next((COURSE_ROOT / "lessons").glob(f"{number}-*.ipynb")))

    def rows(*notebooks):
        assert bench.main(["--gpu", "--output", str(output), "--reference", str(tmp_path / "none.json"),
                           *notebooks]) == 0
        return [row[0] for row in table_rows(output.read_text())[1:]]

    assert rows(lesson(12)) == ["lessons/" + Path(lesson(12)).name]
    assert rows(lesson(10), lesson(14)) == ["lessons/" + Path(lesson(n)).name for n in (10, 12, 14)]
    device["gpus"] = ["NVIDIA A100"]  # another device: its table starts afresh
    assert rows(lesson(11)) == ["lessons/" + Path(lesson(11)).name]
    capsys.readouterr()


def test_kernels_get_the_shells_gpu_settings_and_the_reference_hides_the_gpus(monkeypatch):
    monkeypatch.setenv("LD_LIBRARY_PATH", "/usr/local/nvidia/lib64")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    monkeypatch.setenv("PYTEST_SOMETHING", "1")
    passed = gpucheck.gpu_variables()
    assert passed["LD_LIBRARY_PATH"] == "/usr/local/nvidia/lib64" and passed["CUDA_VISIBLE_DEVICES"] == "0"
    assert "PYTEST_SOMETHING" not in passed
    assert gpucheck.gpu_variables(gpucheck.HIDE_GPUS)["CUDA_VISIBLE_DEVICES"] == "-1"
    assert gpucheck.kernel_environment()["TF_CPP_MIN_LOG_LEVEL"] == "3"
