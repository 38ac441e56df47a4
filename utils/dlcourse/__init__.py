"""dlcourse: the helpers behind the deep-learning course notebooks.

Import what a lesson needs from the submodules, for example::

    from dlcourse import runtime, data, checks
    rng = runtime.seed_everything(0)
"""

__version__ = "0.1.0"
