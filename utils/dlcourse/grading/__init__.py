"""Grading the course's assignments: nbgrader, made safe for work that counts.

    cli.py            ./course grade: autograde in parallel, summary, feedback, bench
    preprocessors.py  what nbgrader_config.py adds to every nbgrader route
    judge.py          the tests run here, against handles on the student's functions
    kernel.py         the student's code runs there, inside the sandbox
    sandbox.py        bubblewrap and resource limits around the kernel
    wire.py           the two talk by value only: data, never code

docs/INSTRUCTORS.md explains the threat model and the commands.
"""
