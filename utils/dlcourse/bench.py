"""Time every notebook in quick and full mode and print a table.

    ./course bench                      all notebooks, quick and full mode
    ./course bench --mode quick         quick mode only
    ./course bench lessons/05*.ipynb    some notebooks

Budgets on a CPU: quick mode under 60 s, full mode under 10 minutes per notebook.
"""

import argparse
import sys
from pathlib import Path

from dlcourse.nbrun import COURSE_ROOT, course_notebooks, run_notebook

BUDGETS = {"quick": 60, "full": 600}


def time_notebook(path, mode, out_dir):
    """Seconds to run one notebook, or the error that stopped it."""
    try:
        _, seconds = run_notebook(
            path, quick=mode == "quick", save_to=out_dir / f"{path.stem}-{mode}.ipynb"
        )
        return seconds, ""
    except Exception as error:  # a failing notebook is reported in the table, not raised
        return None, type(error).__name__


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--mode", choices=["quick", "full", "both"], default="both")
    args = parser.parse_args(argv)
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
          f"Executed copies in {out_dir}.")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
