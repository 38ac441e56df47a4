"""Reading a lesson changes nothing: notebooks are committed with the metadata JupyterLab
writes, so that after Lab's autosave `git status` shows no change and `git pull` works.

What JupyterLab 4 does (read in its source: @jupyterlab/notebook's NotebookPanel,
@jupyter/ydoc's YNotebook): it loads the server's model (jupyter_server's contents
manager, which marks code cells trusted or not), keeps nbformat, nbformat_minor, cell ids
and all metadata, and once the kernel is up sets ``metadata.kernelspec`` to the kernel
spec's {name, display_name, language} and ``metadata.language_info`` to the kernel's
kernel_info_reply ``language_info``, each only when it is not deep-equal to what is there
(an equal value leaves the document unmodified). Saving sends the model's JSON back; the
contents manager drops the trust marks and writes it with nbformat.

ipykernel's ``language_info`` holds the kernel's Python version, each student's own; a
clean filter cannot hide a change it causes (git takes a file whose size changed for
modified without running the filter, and `git pull` then refuses to merge). So the
course's kernel (dlcourse.kernelspec) reports no version, notebooks are committed with
exactly the kernelspec and language_info Lab sets, and Lab leaves them untouched. The
nbstripout filter also drops ``metadata.language_info.version`` (``git config
filter.nbstripout.extrakeys``, set by ./course), so that a version another front end
writes is never committed.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from dlcourse import kernelspec, nbrun

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p.relative_to(ROOT) for folder in ("lessons", "solutions", "assignments") for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
# What the clean filter drops besides nbstripout's defaults, and the git setting for it.
STRIPPED = "metadata.language_info.version"
GIT_CONFIG = {"filter.nbstripout.extrakeys": STRIPPED}
# One of each kind for the round trip through git (each `git status` runs the filter).
THROUGH_GIT = [Path("lessons/01-images-as-arrays.ipynb"),
               Path("solutions/A1-perceptron-activations/A1-perceptron-activations.ipynb"),
               Path("assignments/A1-perceptron-activations/A1-perceptron-activations.ipynb")]


@pytest.fixture(scope="module")
def lab_metadata():
    """(kernelspec, language_info) as Lab sets them: from the installed spec and a real kernel's reply."""
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(Path(sys.prefix, "share", "jupyter"))  # as ./course lab sets it
    try:
        spec = KernelSpecManager().get_kernel_spec(kernelspec.NAME)
        manager = KernelManager(kernel_name=kernelspec.NAME)
        manager.start_kernel(env=nbrun.user_environment())
    finally:
        if saved is None:
            del os.environ["JUPYTER_PATH"]
        else:
            os.environ["JUPYTER_PATH"] = saved
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        language_info = client.kernel_info(reply=True, timeout=60)["content"]["language_info"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return {"name": kernelspec.NAME, "display_name": spec.display_name, "language": spec.language}, language_info


def lab_cell(cell):
    """A cell as Lab's shared model gives it back (YCodeCell / YMarkdownCell / YRawCell toJSON)."""
    out = {"id": cell["id"], "cell_type": cell["cell_type"], "source": cell["source"], "metadata": cell["metadata"]}
    if cell["cell_type"] == "code":
        out.update(outputs=cell["outputs"], execution_count=cell["execution_count"])
    elif "attachments" in cell:
        out["attachments"] = cell["attachments"]
    return out


async def open_and_save_in_lab(root, path, lab_metadata):
    """Open ``path`` as Lab does, let the kernel set its metadata, save: whether Lab marked it modified."""
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
    from nbformat.sign import NotebookNotary

    contents = AsyncLargeFileManager(root_dir=str(root))
    contents.notary = NotebookNotary(db_file=":memory:", secret=b"test")  # nothing written under HOME
    model = await contents.get(str(path), content=True, type="notebook")
    content = json.loads(json.dumps(model["content"]))  # what reaches the browser
    metadata = content["metadata"]
    metadata.pop("orig_nbformat", None)
    kernel_spec, language_info = lab_metadata
    modified = False
    for key, value in (("language_info", language_info), ("kernelspec", kernel_spec)):
        if metadata.get(key) != value:  # YNotebook.setMetadata: nothing happens when deep-equal
            metadata[key] = value
            modified = True
    sent = {"metadata": metadata, "nbformat_minor": content["nbformat_minor"], "nbformat": content["nbformat"],
            "cells": [lab_cell(cell) for cell in content["cells"]]}
    await contents.save({"type": "notebook", "format": "json", "content": sent}, str(path))
    return modified


@pytest.mark.parametrize("path", NOTEBOOKS, ids=str)
def test_notebook_carries_the_metadata_lab_writes(path, lab_metadata):
    kernel_spec, language_info = lab_metadata
    notebook = nbformat.read(ROOT / path, as_version=nbformat.NO_CONVERT)
    assert (notebook.nbformat, notebook.nbformat_minor) == (4, 5)
    assert all("id" in cell for cell in notebook.cells)
    expected = {"kernelspec": kernel_spec, "language_info": language_info}
    assert notebook.metadata == expected, f"{path}: set its metadata to {json.dumps(expected)} (what JupyterLab writes)"


def git(folder, *args, **kwargs):
    done = subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args],
                          cwd=folder, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A git repository holding the notebooks and .gitattributes, the filter set up as ./course does."""
    tmp_path = tmp_path_factory.mktemp("course")
    git(tmp_path, "init", "-q")
    shutil.copy2(ROOT / ".gitattributes", tmp_path / ".gitattributes")
    subprocess.run([sys.executable, "-m", "nbstripout", "--install", "--attributes", ".gitattributes"],
                   cwd=tmp_path, check=True)
    for name, value in GIT_CONFIG.items():
        git(tmp_path, "config", name, value)
    for path in THROUGH_GIT:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, tmp_path / path)
    (tmp_path / ".gitignore").write_text(".ipynb_checkpoints/\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "course")
    assert git(tmp_path, "status", "--porcelain") == ""
    return tmp_path


def test_opening_a_notebook_in_lab_changes_nothing_git_sees(clone, lab_metadata):
    for path in THROUGH_GIT:
        before = (clone / path).read_bytes()
        modified = asyncio.run(open_and_save_in_lab(clone, path, lab_metadata))
        assert not modified, f"JupyterLab would mark {path} modified as soon as its kernel starts"
        # Saved all the same (Ctrl+S), it is written byte for byte as it was.
        assert (clone / path).read_bytes() == before
    status = git(clone, "status", "--porcelain")
    assert status == "", f"after opening and saving in JupyterLab, git sees changes:\n{status}"


def test_git_pull_merges_after_a_student_read_a_lesson(clone, tmp_path, lab_metadata):
    """The issue's own path: a student reads a lesson (Lab saves it), the course changes it, `git pull`."""
    instructor, student = tmp_path / "instructor", tmp_path / "student"
    for folder in (instructor, student):
        git(tmp_path, "clone", "-q", str(clone), str(folder))
    subprocess.run([sys.executable, "-m", "nbstripout", "--install", "--attributes", ".gitattributes"],
                   cwd=student, check=True)
    lesson = THROUGH_GIT[0]
    asyncio.run(open_and_save_in_lab(student, lesson, lab_metadata))
    notebook = nbformat.read(instructor / lesson, as_version=4)
    notebook.cells[0].source += "\n\nA sentence added by the instructor."
    nbformat.write(notebook, instructor / lesson)
    git(instructor, "commit", "-q", "-am", "lesson edited")
    git(student, "pull", "-q", "--no-rebase", str(instructor), "HEAD")
    assert (student / lesson).read_bytes() == (instructor / lesson).read_bytes()


def test_the_filter_drops_the_python_version_other_front_ends_write(clone, tmp_path):
    """Belt and braces: a front end that records the Python version (another kernel, an
    nbconvert --inplace run) commits no student's version through the clean filter."""
    path = THROUGH_GIT[0]
    notebook = nbformat.read(clone / path, as_version=nbformat.NO_CONVERT)
    notebook.metadata.language_info["version"] = "3.12.3"
    written = tmp_path / "with-version.ipynb"
    nbformat.write(notebook, written)
    committed = git(clone, "rev-parse", f"HEAD:{path}").strip()
    assert git(clone, "hash-object", f"--path={path}", str(written)).strip() == committed
    unset = git(clone, "-c", "filter.nbstripout.extrakeys=", "hash-object", f"--path={path}", str(written)).strip()
    assert unset != committed


def test_the_course_kernel_reports_no_python_version(lab_metadata):
    """What Lab copies into a notebook it opens (language_info) holds nothing that differs
    between students' Pythons, so Lab finds it equal to the committed metadata."""
    kernel_spec, language_info = lab_metadata
    assert "version" not in language_info
    assert language_info["name"] == kernel_spec["language"] == "python"


def test_launcher_sets_the_filters_extra_keys():
    course = (ROOT / "course").read_text()
    for name, value in GIT_CONFIG.items():
        assert name in course and value in course, f"./course must run `git config {name} {value}`"
