"""Time every notebook in quick and full mode, and every widget in a browser; print tables.

    ./course bench                      all notebooks, quick and full mode, then the widgets
    ./course bench --mode quick         quick mode only (and the widgets)
    ./course bench lessons/05*.ipynb    some notebooks (no widgets)
    ./course bench --widgets            the widgets only
    ./course bench --gpu                the GPU check (dlcourse.gpucheck): every Keras notebook in
                                        full mode on a GPU, against a 2-core CPU; docs/gpu-check.md
    ./course bench --cpu-reference      that check's CPU times (docs/cpu-reference.json)

Budgets on a CPU: quick mode under 60 s, full mode under 10 minutes per notebook; a
widget's median time from an input (a key press, a menu choice, a typed character) to its
new picture on the page under 250 ms.
"""

import argparse
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from dlcourse.nbrun import COURSE_ROOT, course_notebooks, run_notebook

BUDGETS = {"quick": 60, "full": 600}
WIDGET_BUDGET_MS = 250
UNDO_KEYS = {"ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight", "ArrowUp": "ArrowDown", "ArrowDown": "ArrowUp"}


def time_notebook(path, mode, out_dir):
    """Seconds to run one notebook, or the error that stopped it."""
    try:
        _, seconds = run_notebook(
            path, quick=mode == "quick", save_to=out_dir / f"{path.stem}-{mode}.ipynb"
        )
        return seconds, ""
    except Exception as error:  # a failing notebook is reported in the table, not raised
        return None, type(error).__name__


def back_and_forth(step, before):
    """``step`` and the input that undoes it, to repeat without drifting off the slider's end."""
    if step.action == "key":
        return [step, replace(step, argument=UNDO_KEYS[step.argument])]
    if step.action == "choose":
        return [step, replace(step, argument=before)]
    return [step, replace(step, action="key", argument="Backspace")]  # type a character, delete it


def widget_latencies(repeats=10):
    """Yield ``(lesson, control, [seconds per input])`` for every input of WIDGET_INPUTS,
    each repeated ``repeats`` times in JupyterLab in Chromium, after Run All in quick mode."""
    from playwright.sync_api import sync_playwright

    from dlcourse.browser import WAIT_MS, WIDGET_INPUTS, LessonPage, launch, serve_course

    with tempfile.TemporaryDirectory() as folder, serve_course(folder) as lab, sync_playwright() as playwright:
        browser = launch(playwright)
        for lesson, widget_inputs in WIDGET_INPUTS.items():
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(WAIT_MS)
            notebook = LessonPage(page, lab)
            notebook.open(f"lessons/{lesson}.ipynb")
            notebook.run_all()
            for widget, steps in zip(notebook.widgets(), widget_inputs):
                for step in steps:
                    before = notebook.value_of(notebook.control(widget, step.label), step.action)
                    seconds = []
                    for _ in range(repeats // 2):
                        for move in back_and_forth(step, before):
                            seconds.append(notebook.drive(widget, move, settle=0.2).seconds)
                    yield lesson, step.label, seconds
            notebook.close()
        browser.close()


def print_widget_table(repeats=10):
    """The widget latency table; the number of widgets over budget."""
    print(f"{'lesson':42}{'control':16}{'inputs':>7}{'median (ms)':>13}{'max (ms)':>10}{'budget':>8}")
    print("-" * 96)
    over = 0
    for lesson, control, seconds in widget_latencies(repeats):
        median = 1000 * statistics.median(seconds)
        ok = median <= WIDGET_BUDGET_MS
        over += not ok
        print(f"{lesson:42}{control:16}{len(seconds):>7}{median:>13.0f}{1000 * max(seconds):>10.0f}"
              f"{'ok' if ok else 'OVER':>8}", flush=True)
    print(f"\nBudget: median {WIDGET_BUDGET_MS} ms from an input to the new picture, in JupyterLab in Chromium.")
    return over


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--gpu" in argv or "--cpu-reference" in argv:
        from dlcourse import gpucheck

        return gpucheck.main(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--mode", choices=["quick", "full", "both"], default="both")
    parser.add_argument("--widgets", action="store_true", help="time the widgets only")
    parser.add_argument("--repeats", type=int, default=10, help="inputs per widget control (default 10)")
    args = parser.parse_args(argv)
    if args.widgets:
        return 1 if print_widget_table(args.repeats) else 0
    notebooks = [p.resolve() for p in args.notebooks] or course_notebooks()
    modes = ["quick", "full"] if args.mode == "both" else [args.mode]
    out_dir = COURSE_ROOT / ".bench"
    out_dir.mkdir(exist_ok=True)

    names = [str(path.relative_to(COURSE_ROOT)) for path in notebooks]
    width = max(len(name) for name in names) + 2
    header = f"{'notebook':{width}}" + "".join(f"{m + ' (s)':>12}{'budget':>8}" for m in modes)
    print(header)
    print("-" * len(header))
    over = 0
    for path, name in zip(notebooks, names):
        row = f"{name:{width}}"
        for mode in modes:
            seconds, error = time_notebook(path, mode, out_dir)
            ok = seconds is not None and seconds <= BUDGETS[mode]
            over += not ok
            shown = f"{seconds:.1f}" if seconds is not None else error[:11]
            row += f"{shown:>12}{'ok' if ok else 'OVER':>8}"
        print(row, flush=True)
    print(f"\nBudgets: quick {BUDGETS['quick']} s, full {BUDGETS['full']} s per notebook. "
          f"Executed copies in {out_dir}.\n")
    if not args.notebooks:
        over += print_widget_table(args.repeats)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
