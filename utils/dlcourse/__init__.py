"""dlcourse: the helpers behind the deep-learning course notebooks.

Import what a lesson needs from the submodules, for example::

    from dlcourse import runtime, data, checks
    rng = runtime.seed_everything(0)
"""

import os

__version__ = "0.1.0"

if os.environ.get("DLCOURSE_CHECK_FIGURES") == "1":  # the test suite's check on every figure
    from dlcourse.figures import check_drawings_once_matplotlib_loads

    check_drawings_once_matplotlib_loads()
