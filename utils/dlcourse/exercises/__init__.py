"""'Your turn' cells that check themselves, in place, without ever raising.

A lesson's exercise cell holds a placeholder (``...``, or a function whose body is
``raise NotImplementedError``); the cell after it calls a checker from
``dlcourse.exercises.lessonNN``, which prints one line:

- ``not done yet: <what to do>`` while the placeholder is there,
- ``not yet right: <hint>`` for a wrong answer (or one that raises),
- ``correct: <what it shows>`` for a right one,

and returns nothing (so a check cell shows no value). A checker is a ``judge(answer)`` that returns
``None`` when the answer is right and a one-line hint when it is not, wrapped by
``@exercise(task=..., right=..., wrong=...)``: ``right`` and ``wrong`` are sample answers
that ``tests/test_exercises.py`` runs through every checker of every lesson module.
"""

import functools
import importlib
import pkgutil

NOT_DONE, WRONG, RIGHT = "not done yet", "not yet right", "correct"


def is_placeholder(answer):
    """True for ``...``, the placeholder of a value (a function's placeholder raises
    NotImplementedError when the judge calls it)."""
    return answer is Ellipsis


def exercise(task, right, wrong, praise="that's it"):
    """Make ``judge(answer) -> None | hint`` a checker that prints one line and never raises.

    ``task`` says what to do (shown while the answer is a placeholder); ``right`` and
    ``wrong`` are sample answers for the tests; ``praise`` is shown for a right answer.
    """

    def wrap(judge):
        @functools.wraps(judge)
        def check(answer=...):
            print(outcome(answer))

        def outcome(answer):
            if is_placeholder(answer):
                return f"{NOT_DONE}: {task}"
            try:
                hint = judge(answer)
            except NotImplementedError:
                return f"{NOT_DONE}: {task}"
            except Exception as error:  # the student's code raised: say what, never raise
                return f"{WRONG}: calling your answer raised {type(error).__name__}: {error}"
            return f"{RIGHT}: {praise}" if hint is None else f"{WRONG}: {hint}"

        check.task, check.right, check.wrong = task, right, wrong
        return check

    return wrap


def all_checkers():
    """{"lessonNN.name": checker} for every checker in the lesson modules of this package."""
    found = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for name, value in vars(module).items():
            if callable(value) and hasattr(value, "task") and hasattr(value, "right"):
                found[f"{module_info.name}.{name}"] = value
    return found
