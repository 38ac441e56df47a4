"""The benchmark command: one row per notebook, seconds and a budget verdict."""

from dlcourse import bench


def test_bench_times_a_notebook_and_checks_its_budget(capsys):
    status = bench.main(["--mode", "quick", str(bench.COURSE_ROOT / "lessons" / "01-images-as-arrays.ipynb")])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["notebook", "quick", "(s)", "budget"]
    name, seconds, verdict = lines[2].split()
    assert name == "lessons/01-images-as-arrays.ipynb"
    assert 0 < float(seconds) < bench.BUDGETS["quick"]
    assert verdict == "ok" and status == 0
