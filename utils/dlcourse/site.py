"""The course website, built offline with Sphinx, myst-nb and the book theme.

    ./course site                 every lesson executed here in full mode (for publishing)
    ./course site --quick         the same in quick mode (a first look, minutes)
    ./course site --executed DIR  no execution: the lessons as DIR/<lesson>.ipynb hold them
                                  (the test suite's JupyterLab runs save them there)

The pages: a home page from the README, the lessons 01-15 with their outputs and widgets
(widget state rendered by the ipywidgets HTML manager, vendored in site/_static), the
student versions of the assignments (as released, unexecuted: never solutions/), the
instructor guide and the notation page. Everything a page loads lies in the site: MathJax
and the widget manager are vendored (site/VENDORED.md). The repository's address, which
the launch links and the README's Binder badge use, is set in site/publish.toml.

Sources are staged in .site/html-sources (links to files outside the site become links to the
repository), the HTML is written to .site/html (--out to change).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"  # conf.py, the vendored JavaScript, publish.toml
PUBLISH = SITE / "publish.toml"
BUILD = ROOT / ".site"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
DOCS = ("docs/NOTATION.md", "docs/INSTRUCTORS.md")
LINK = re.compile(r"(!?\[[^\[\]\n]*\])\(([^)\s]+)\)")


class SiteError(RuntimeError):
    """Something the site needs is missing; the message says what and how to get it."""


def settings(path=PUBLISH):
    """site/publish.toml: repository (GitHub owner/name), branch, binderhub, site_url."""
    with open(path, "rb") as file:
        return tomllib.load(file)


def binder_url(path, config=None):
    """The Binder address that opens ``path`` (relative to the repository) in JupyterLab."""
    config = config or settings()
    return f"{config['binderhub']}/v2/gh/{config['repository']}/{config['branch']}?urlpath=lab/tree/{path}"


def repository_url(path="", config=None):
    config = config or settings()
    base = f"https://github.com/{config['repository']}"
    return f"{base}/blob/{config['branch']}/{path}" if path else base


def lessons(root=ROOT):
    return sorted((root / "lessons").glob("[0-9][0-9]-*.ipynb"))


def assignments(root=ROOT):
    """The student versions (assignments/AN-topic/AN-topic.ipynb), never solutions/."""
    return sorted(p for p in (root / "assignments").glob("*/*.ipynb") if p.stem == p.parent.name)


def page_sources(root=ROOT):
    """Every page's source, relative to the repository, in course order (the home page first)."""
    return (["README.md"] + [str(p.relative_to(root)) for p in lessons(root)]
            + [str(p.relative_to(root)) for p in assignments(root)] + list(DOCS))


def rewrite_links(text, source, staged, config):
    """Links in ``text`` (from repository file ``source``) to files that are not pages of
    the site point at the repository instead; links between pages stay relative."""
    folder = Path(source).parent

    def replace(match):
        label, target = match.groups()
        if label.startswith("!") and re.match(r"(https?:)?//", target):
            return label[2:-1]  # a picture from another host (the Binder badge): its text
        if re.match(r"[a-z][a-z0-9+.-]*:|#|/", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = os.path.normpath(folder / path).replace(os.sep, "/")
        if resolved in staged or resolved.startswith(".."):
            return match.group(0)
        if not (ROOT / resolved).exists():
            return match.group(0)  # not a path (e.g. `f(x)` in running text)
        return f"{label}({repository_url(resolved, config)}{'#' + anchor if anchor else ''})"

    return LINK.sub(replace, text)


def widget_note(path, config):
    return nbformat.v4.new_markdown_cell(
        "```{note}\nThe widget above shows the last picture the lesson drew. Its controls need a "
        f"running kernel to draw again: [launch this lesson on Binder]({binder_url(path, config)}) "
        "(or open it with `./course lab`) and move them there.\n```",
        metadata={"tags": ["widget-note"]},
    )


def prepare_notebook(notebook, source, staged, config):
    """Rewrite links, and say under each widget that moving it needs a kernel."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, source, staged, config)
        cells.append(cell)
        if shows_widget(cell):
            cells.append(widget_note(source, config))
    notebook.cells = cells
    return notebook


def shows_widget(cell):
    return cell.cell_type == "code" and any(WIDGET_VIEW in out.get("data", {}) for out in cell.get("outputs", []))


def has_widgets(notebook):
    return any(map(shows_widget, notebook.cells))


def widget_state(notebook):
    return notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def executed_folder():
    """Where this test run's JupyterLab runs leave the executed lessons for the site test:
    one folder per run (pytest-xdist's run id, shared by its workers; else this process)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    return Path(tempfile.gettempdir()) / "dlcourse-executed" / run


def save_executed(lesson_page, lesson, timeout=60):
    """Save the lesson open in JupyterLab (File > Save: the widget manager writes its state
    into the notebook) and copy it into ``executed_folder()`` for the site."""
    page, saved = lesson_page.page, Path(lesson_page.lab.folder) / "lessons" / f"{lesson}.ipynb"
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("!window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while not widget_state(nbformat.read(saved, as_version=4)) and time.monotonic() < deadline:
        time.sleep(0.2)  # has_widgets() without state is reported by stage()
        if not has_widgets(nbformat.read(saved, as_version=4)):
            break
    folder = executed_folder()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(saved, folder / f"{lesson}.ipynb.part")
    os.replace(folder / f"{lesson}.ipynb.part", folder / f"{lesson}.ipynb")


def executed_lesson(path, executed, quick):
    """The executed notebook of lesson ``path``: from the folder ``executed``, or run here."""
    if executed is not None:
        found = Path(executed) / path.name
        if not found.exists():
            raise SiteError(f"{found} is missing: the site takes executed lessons from {executed}")
        return nbformat.read(found, as_version=4)
    from nbclient.exceptions import CellExecutionError

    from dlcourse.nbrun import run_notebook  # nbclient with store_widget_state (its default)

    started = time.perf_counter()
    try:
        notebook, _ = run_notebook(path, quick=quick)
    except CellExecutionError as error:
        raise SiteError(f"{path.name} failed in {'quick' if quick else 'full'} mode, so it is not published:\n"
                        + "\n".join(str(error).splitlines()[-12:]))
    print(f"  executed {path.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return notebook


def index_page(root, staged, config):
    """The README as the home page, with the navigation (a hidden table of contents)."""
    text = rewrite_links((root / "README.md").read_text(), "README.md", staged, config)
    groups = [("Lessons", [p for p in staged if p.startswith("lessons/")]),
              ("Assignments (student versions)", [p for p in staged if p.startswith("assignments/")]),
              ("Guides", list(DOCS))]
    for caption, paths in groups:
        entries = "\n".join(p.rsplit(".", 1)[0] for p in paths)
        text += f"\n\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n{entries}\n```\n"
    return text


def stage(into, root=ROOT, executed=None, quick=True, only=None):
    """Write the site's sources into ``into``, in the repository's layout (so each page's
    launch link opens the same file in the repository)."""
    config = settings(root / "site" / "publish.toml")
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    chosen = [p for p in lessons(root) if not only or any(name in p.stem for name in only)]
    staged = {str(p.relative_to(root)) for p in chosen + assignments(root)} | set(DOCS)
    missing_state = []
    for path in chosen:
        source = str(path.relative_to(root))
        notebook = executed_lesson(path, executed, quick)
        if has_widgets(notebook) and not widget_state(notebook):
            missing_state.append(source)
        target = into / source
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(prepare_notebook(notebook, source, staged, config), target)
    if missing_state:
        raise SiteError("these lessons show widgets but carry no widget state (save them from a "
                        "JupyterLab whose widget manager saves state, or run them with nbclient): "
                        + ", ".join(missing_state))
    for path in assignments(root):
        source = str(path.relative_to(root))
        target = into / source
        target.parent.mkdir(parents=True, exist_ok=True)
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(prepare_notebook(notebook, source, staged, config), target)
    for source in DOCS:
        target = into / source
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rewrite_links((root / source).read_text(), source, staged, config))
    (into / "index.md").write_text(index_page(root, sorted(staged, key=page_order(root)), config))
    return into


def page_order(root):
    order = {path: index for index, path in enumerate(page_sources(root))}
    return lambda path: order.get(path, len(order))


def build(out=BUILD / "html", root=ROOT, executed=None, quick=True, only=None, jobs=2):
    """Stage the sources and run Sphinx; the output folder."""
    source = stage(out.parent / f"{out.name}-sources", root, executed, quick, only)
    if out.exists():
        shutil.rmtree(out)
    doctrees = out.parent / "doctrees"
    shutil.rmtree(doctrees, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", str(jobs), "-c", str(root / "site"),
               "-d", str(doctrees), str(source), str(out)]
    done = subprocess.run(command)
    if done.returncode:
        raise SiteError(f"Sphinx failed (exit status {done.returncode}); its messages are above")
    return out


def size_mb(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) / 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(prog="./course site", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="execute the lessons in quick mode")
    parser.add_argument("--executed", type=Path, help="take executed lessons from this folder, run none")
    parser.add_argument("--out", type=Path, default=BUILD / "html", help="where the HTML goes (default .site/html)")
    parser.add_argument("--only", nargs="*", help="only the lessons whose names contain these (a partial site)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        out = build(args.out.resolve(), executed=args.executed, quick=args.quick, only=args.only)
    except SiteError as problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"Built {out} ({size_mb(out):.1f} MB) in {time.perf_counter() - started:.0f} s; "
          f"open {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
