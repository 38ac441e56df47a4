"""Shared fixtures: quick mode everywhere, and a real Jupyter kernel for widget tests."""

import os
import queue
import sys
from pathlib import Path

import pytest

os.environ["DLCOURSE_QUICK"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
# nbgrader runs `alembic` and Jupyter finds kernels through PATH: use this Python's.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one worker")


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
