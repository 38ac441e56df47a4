"""Shared fixtures: quick mode everywhere, a real Jupyter kernel for widget tests, and
the course's commands run as a user runs them, in a shell of their own."""

import contextlib
import json
import os
import queue
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What a user's shell passes on to the course's commands. Nothing of pytest's gets
# through (with PYTEST_CURRENT_TEST set, ipykernel stops forwarding what native code
# writes to stderr, so a grader run from here would not see what instructors see),
# nor any of the settings this file makes for the suite itself.
SHELL_VARIABLES = {"PATH", "LANG", "LANGUAGE", "TERM", "TMPDIR", "USER", "LOGNAME", "SHELL"}
SHELL_PREFIXES = ("LC_", "OPENBLAS_")  # locale; OpenBLAS settings this machine needs
SHELL_ENVIRONMENT = {
    name: value for name, value in os.environ.items()
    if name in SHELL_VARIABLES or name.startswith(SHELL_PREFIXES)
}

os.environ["DLCOURSE_QUICK"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")
# nbgrader runs `alembic` and Jupyter finds kernels through PATH: use this Python's.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one worker")


# The longest units of work first (xdist groups, else modules; seconds on two cores, quick
# mode): the browser halves (~250 each; the site's build and page checks ~180 after browser1,
# where they need both halves' lessons), A6's nbgrader round trip 280, the grading batch 110,
# A3 and A4 90, the lock 80, the solutions' runs 75, A2 70, the guide 60. `./course test` passes
# --no-loadscope-reorder, so that xdist hands work out in this order (its default, most tests
# first, started A6 late) and the two workers finish together.
LONGEST_FIRST = ("browser0", "browser1", "A6-", "grading", "A3-", "A4-", "lock",
                 "tests/test_notebooks.py", "A2-", "guide", "browser-instructor")


def work_unit(item):
    """What xdist's loadgroup keeps together: the item's xdist group, else its module."""
    group = item.get_closest_marker("xdist_group")
    return group.args[0] if group else item.nodeid.split("::")[0]


def pytest_collection_modifyitems(items):
    def rank(item):
        unit = work_unit(item)
        return next((i for i, first in enumerate(LONGEST_FIRST) if unit.startswith(first)), len(LONGEST_FIRST))

    items.sort(key=rank)


class Kernel:
    """A live IPython kernel: ``run(code)`` executes code and returns its stdout."""

    def __init__(self, client):
        self.client = client

    def run(self, code, timeout=120):
        msg_id = self.client.execute(code)
        stdout, error = [], None
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"kernel did not finish within {timeout} s:\n{code}")
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                stdout.append(content["text"])
            elif kind == "error":
                error = "\n".join(content["traceback"])
            elif kind == "status" and content["execution_state"] == "idle":
                break
        if error:
            raise AssertionError(f"kernel raised:\n{error}")
        return "".join(stdout)


@pytest.fixture(scope="session")
def kernel():
    """One kernel per test worker; widget tests build widgets in it and set values."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        yield Kernel(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


class Shell:
    """A user's fresh shell: ``run(folder, *args)`` runs ``./course args`` there.

    Its environment is the machine's PATH, locale and a new home folder, nothing else.
    ``new_course(folder)`` makes a course folder as an instructor has one: the
    ``course`` script, its configuration and pins, lesson 01, and this suite's virtual
    environment (already installed, so ``./course`` installs nothing).
    """

    def __init__(self, home):
        self.env = dict(SHELL_ENVIRONMENT, HOME=str(home))

    def new_course(self, folder):
        for name in ("course", "nbgrader_config.py", "requirements.txt", "pyproject.toml"):
            shutil.copy2(ROOT / name, folder / name)
        (folder / "lessons").mkdir()
        shutil.copy2(ROOT / "lessons" / "01-images-as-arrays.ipynb", folder / "lessons")  # ./course lab opens it
        (folder / ".venv").symlink_to(sys.prefix, target_is_directory=True)
        stamps = list(Path(sys.prefix).glob(".installed-*"))
        assert stamps, f"{sys.prefix} was not set up by ./course: run the tests with `./course test`"
        return folder

    def run(self, folder, *args, timeout=1800):
        """Run ``./course *args`` in ``folder``; return the CompletedProcess (text)."""
        return subprocess.run(
            ["./course", *map(str, args)], cwd=folder, env=self.env,
            capture_output=True, text=True, timeout=timeout,
        )

    @contextlib.contextmanager
    def lab(self, folder, start_seconds=120):
        """``./course lab --no-browser`` serving ``folder``; yields ``request(path, method) -> text``."""
        from dlcourse.browser import free_port, stop_server

        port, token = free_port(), secrets.token_hex(16)
        url = f"http://127.0.0.1:{port}"
        log = open(folder / "lab.log", "w")
        server = subprocess.Popen(
            ["./course", "lab", "--no-browser", f"--port={port}", f"--IdentityProvider.token={token}"],
            cwd=folder, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

        def request(path, method="GET"):
            message = urllib.request.Request(
                url + path, method=method, data=b"" if method == "POST" else None,
                headers={"Authorization": f"token {token}"},
            )
            with urllib.request.urlopen(message, timeout=600) as reply:
                return reply.read().decode()

        try:
            deadline = time.monotonic() + start_seconds
            while True:
                try:
                    request("/api/status")
                    break
                except (urllib.error.URLError, ConnectionError):
                    assert server.poll() is None, (folder / "lab.log").read_text()
                    assert time.monotonic() < deadline, "JupyterLab did not start:\n" + (folder / "lab.log").read_text()
                    time.sleep(0.5)
            yield request
        finally:
            stop_server(server)
            log.close()


@pytest.fixture(scope="session")
def shell(tmp_path_factory):
    return Shell(tmp_path_factory.mktemp("home"))


# The browser fixtures live for one test module, whose tests run together on one worker
# (xdist groups "browser..."): Playwright's synchronous API keeps an asyncio loop running
# while it is open, and other tests (nbclient, asyncio.run) cannot start their own then.
@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``./course lab`` serving a copy of the course, in quick mode (dlcourse.browser), its
    kernels checking every figure for a title and axis labels."""
    from dlcourse.browser import serve_course

    with serve_course(tmp_path_factory.mktemp("course"), check_figures=True) as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by Playwright, one per test worker."""
    from playwright.sync_api import sync_playwright

    from dlcourse.browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def lesson_page(browser, lab):
    """A fresh browser page on the served course; its kernel is shut down afterwards."""
    from dlcourse.browser import WAIT_MS, LessonPage

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(WAIT_MS)
    lesson = LessonPage(page, lab)
    yield lesson
    lesson.close()
