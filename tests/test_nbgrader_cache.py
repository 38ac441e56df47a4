"""nbgrader's student side keeps its files in the clone, so clones do not see each other's.

nbgrader's default cache (what `submit` keeps, what JupyterLab's Assignments tab lists as
submitted) is ~/.local/share/jupyter/nbgrader_cache, one for every clone on the machine;
nbgrader_config.py puts it in the clone's .nbgrader/. Played here as a student plays it:
nbgrader's commands and the Assignments tab's own code (nbgrader's assignment_list server
extension, which reads nbgrader_config.py from the folder Jupyter was started in, the clone
for ./course lab), in processes with a home folder of their own and nothing of pytest's.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dlcourse import nbrun

ROOT = Path(__file__).resolve().parents[1]
A = "A0-arrays"
SCRIPTS = Path(sys.executable).parent
# The Assignments tab's handler code, run in a process started in the clone as ./course lab starts Jupyter.
ASSIGNMENTS_TAB = """
import json, sys
from nbgrader.server_extensions.assignment_list.handlers import AssignmentList
tab = AssignmentList()
tab.root_dir = sys.argv[1]
print(json.dumps(tab.list_submitted_assignments()))
"""


def clone(folder):
    """A course folder holding A0's source and student version, and the course's nbgrader config."""
    folder.mkdir()
    shutil.copy2(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    for kind in ("solutions", "assignments"):
        shutil.copytree(ROOT / kind / A, folder / kind / A)
    return folder


def student_environment(home):
    env = dict(nbrun.user_environment(quick=False), HOME=str(home))
    env["PATH"] = str(SCRIPTS) + os.pathsep + env.get("PATH", "")
    return env


def nbgrader(folder, home, *args):
    done = subprocess.run([str(SCRIPTS / "nbgrader"), *args], cwd=folder, env=student_environment(home),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def submitted_in_assignments_tab(folder, home):
    done = subprocess.run([sys.executable, "-c", ASSIGNMENTS_TAB, str(folder)], cwd=folder,
                          env=student_environment(home), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout.splitlines()[-1])
    assert reply["success"], reply
    return reply["value"]


def test_a_clones_submissions_stay_in_it_and_nothing_lands_in_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    first, second = clone(tmp_path / "first"), clone(tmp_path / "second")
    for folder in (first, second):
        nbgrader(folder, home, "release_assignment", A)
    nbgrader(first, home, "fetch_assignment", A)
    nbgrader(first, home, "submit", A)

    listed = submitted_in_assignments_tab(first, home)
    assert [entry["assignment_id"] for entry in listed] == [A]
    paths = [Path(s["path"]) for entry in listed for s in entry["submissions"]]
    assert paths and all((first / ".nbgrader" / "cache") in path.parents for path in paths), paths
    assert submitted_in_assignments_tab(second, home) == [], "one clone's Assignments tab lists another's submission"
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert not left, f"nbgrader wrote into the home folder: {left}"
