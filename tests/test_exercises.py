"""Every lesson's "your turn" check, run on its placeholder, a right and a wrong answer."""

from pathlib import Path

import nbformat
import pytest

from dlcourse import exercises
from dlcourse.exercises import NOT_DONE, RIGHT, WRONG, exercise

CHECKERS = exercises.all_checkers()
LESSONS = Path(__file__).resolve().parents[1] / "lessons"


@exercise(task="write double(x)", right=lambda x: 2 * x, wrong=lambda x: x + 2, praise="doubled")
def check_double(double):
    if double(3) != 6:
        return f"double(3) should be 6, got {double(3)}"


def not_written(x):
    raise NotImplementedError


@pytest.mark.parametrize("answer, outcome", [
    (..., NOT_DONE),
    (not_written, NOT_DONE),
    (lambda x: 2 * x, RIGHT),
    (lambda x: x + 2, WRONG),
    (lambda x: x.missing, WRONG),  # raises: the check says so and does not raise
])
def test_a_check_prints_one_line_shows_no_value_and_never_raises(capsys, answer, outcome):
    assert check_double(answer) is None  # a check cell shows no value
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and printed[0].startswith(f"{outcome}: ")


@pytest.mark.parametrize("lesson", sorted(p.name for p in LESSONS.glob("*.ipynb")))
def test_every_lesson_has_a_your_turn_cell_it_checks(lesson):
    module = f"lesson{lesson[:2]}"
    checks = [name.split(".")[1] for name in CHECKERS if name.startswith(f"{module}.")]
    assert checks, f"no checks in dlcourse/exercises/{module}.py"
    code = "\n".join(c.source for c in nbformat.read(LESSONS / lesson, as_version=4).cells if c.cell_type == "code")
    assert f"from dlcourse.exercises import {module} as exercise" in code
    called = [name for name in checks if f"exercise.{name}(" in code]
    assert called, f"{lesson} calls none of {checks}"


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_each_check_tells_right_from_wrong_and_waits_for_the_placeholder(capsys, name):
    check = CHECKERS[name]
    for answer in (..., check.right, check.wrong):
        check(answer)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{NOT_DONE}: ") and lines[1].startswith(f"{RIGHT}: "), lines
    assert lines[2].startswith(f"{WRONG}: "), lines
