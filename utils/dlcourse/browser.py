"""The course in a real browser: JupyterLab in Chromium, driven as a student uses it.

``find_browser()`` looks for a Chromium or Chrome already on the machine;
``ensure_browser()`` installs one when there is none (Debian's ``chromium`` as root,
otherwise Playwright's own download); ``launch(playwright)`` starts it headless with a
fresh profile and none of Chromium's calls home. ``python -m dlcourse.browser`` runs
``ensure_browser()`` and prints what it found (``./course test`` does this first).

``serve_course(folder)`` copies the course there and serves it with ``./course lab``;
``LessonPage`` opens a notebook in it, runs it from the Run menu, reports what went
wrong on the page, and drives a widget's controls with the keyboard and menus while
counting the pictures it draws. The browser tests and ``./course bench --widgets`` use
them; ``WIDGET_INPUTS`` says which control of each lesson's widgets to move.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from dlcourse.nbrun import COURSE_ROOT, user_environment

# Chromium's own settings for a test run: no sandbox (CI runs as root), no GPU, and
# none of its background traffic, which a closed network refuses many times a second.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
COMMANDS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"]
INSTALLED_PATHS = [
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
]


class BrowserMissing(RuntimeError):
    """No browser could be found or installed; the message says what to do."""


def find_browser():
    """Path of the Chromium/Chrome to use, or None to use Playwright's own (if installed).

    ``DLCOURSE_BROWSER`` names one explicitly.
    """
    chosen = os.environ.get("DLCOURSE_BROWSER")
    if chosen:
        if not Path(chosen).exists() and not shutil.which(chosen):
            raise BrowserMissing(f"DLCOURSE_BROWSER={chosen} does not exist.")
        return shutil.which(chosen) or chosen
    for command in COMMANDS:
        if shutil.which(command):
            return shutil.which(command)
    return next((path for path in INSTALLED_PATHS if Path(path).exists()), None)


def playwright_has_chromium():
    """Whether Playwright's own Chromium is downloaded."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        return Path(playwright.chromium.executable_path).exists()


def ensure_browser(say=print):
    """A browser for the tests: the system's, else installed (apt as root, else Playwright's)."""
    found = find_browser()
    if found:
        return found
    if sys.platform == "linux" and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say("No Chromium on this machine: installing Debian's chromium package for the browser tests ...")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for command in (["apt-get", "update", "-qq"],
                        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"]):
            subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL)
        if find_browser():
            return find_browser()
    if playwright_has_chromium():
        return None
    say("No Chrome or Chromium on this machine: downloading Playwright's Chromium for the browser tests ...")
    if subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"]).returncode == 0:
        return None
    raise BrowserMissing(
        "No Chrome or Chromium here, and none could be installed: install Google Chrome or "
        "Chromium (Debian/Ubuntu: `sudo apt install chromium`)."
    )


def launch(playwright):
    """Chromium started headless with a fresh profile (Playwright's default) and quiet flags."""
    return playwright.chromium.launch(executable_path=find_browser(), headless=True, args=CHROMIUM_FLAGS)


# Serving the course ---------------------------------------------------------------------

COURSE_FILES = ["course", "nbgrader_config.py", "requirements.txt", "requirements-gpu.txt", "pyproject.toml"]
COURSE_FOLDERS = ["lessons", "solutions", "assignments"]


def copy_course(folder, venv):
    """A copy of the course's notebooks and commands in ``folder``, using the installed ``venv``.

    Lab autosaves what it runs; on a copy, the clone's notebooks stay as committed.
    """
    folder = Path(folder)
    for name in COURSE_FILES:
        shutil.copy2(COURSE_ROOT / name, folder / name)
    for name in COURSE_FOLDERS:
        shutil.copytree(COURSE_ROOT / name, folder / name)
    (folder / ".venv").symlink_to(venv, target_is_directory=True)
    return folder


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Lab:
    """A running ``./course lab``: its address and the token that opens it."""

    url: str
    token: str
    folder: Path

    def address(self, path):
        """The page that opens ``path`` in a fresh workspace (no tabs left from before)."""
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"


@contextlib.contextmanager
def serve_course(folder, venv=sys.prefix, quick=True, check_figures=False, start_seconds=120):
    """Copy the course into ``folder`` and serve it with ``./course lab``; yields a ``Lab``.

    The server runs in a user's environment (``quick`` sets DLCOURSE_QUICK), with fresh
    Lab settings and workspaces, and exposes the app object so tests can read the
    kernel's state and the notebook's modified flag. ``check_figures`` makes its kernels
    write a figure's missing titles and axis labels to stderr (dlcourse.figures).
    """
    folder = copy_course(folder, venv)
    port, token = free_port(), secrets.token_hex(16)
    env = dict(user_environment(quick), JUPYTERLAB_SETTINGS_DIR=str(folder / ".lab-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(folder / ".lab-workspaces"))
    if check_figures:
        env["DLCOURSE_CHECK_FIGURES"] = "1"
    launcher = ["./course"] if os.name == "posix" else [sys.executable, "course"]
    log_path = folder / "lab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [*launcher, "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
             f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True"],
            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=os.name == "posix",
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + start_seconds
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("./course lab did not start:\n" + log_path.read_text())
                    time.sleep(0.3)
            yield Lab(url, token, folder)
        finally:
            stop_server(server)


def stop_server(server, grace_seconds=60):
    """Stop ``./course lab`` and its kernels: politely, then by force (on a loaded machine,
    shutting kernels down can outlast the grace period)."""
    if server.poll() is not None:
        return
    if os.name == "posix":
        os.killpg(server.pid, signal.SIGTERM)
    else:
        server.terminate()
    try:
        server.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            os.killpg(server.pid, signal.SIGKILL)
        else:
            server.kill()
        server.wait()


# A lesson in the browser ------------------------------------------------------------------

WAIT_MS = 60_000  # any one step on a page (Playwright's expect() waits 5 s unless told)
KERNEL_IDLE = """(() => {
  const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const session = nb && nb.sessionContext && nb.sessionContext.session;
  return !!(session && session.kernel && session.kernel.status === 'idle');
})()"""
# Run All has finished: the kernel is idle and no cell waits, and either every code cell
# ran or one failed (Lab then leaves the cells after it unrun).
RUN_ALL_DONE = """(() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const session = nb && nb.sessionContext && nb.sessionContext.session;
  if (!(session && session.kernel && session.kernel.status === 'idle')) return false;
  const code = nb.content.widgets.filter(cell => cell.model.type === 'code');
  if (code.some(cell => cell.promptNode.textContent.includes('*'))) return false;
  return code.every(cell => cell.model.executionCount !== null)
    || code.some(cell => cell.model.outputs.toJSON().some(output => output.output_type === 'error'));
})()"""
UNRUN_CELLS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .map((cell, index) => [cell, index])
  .filter(([cell]) => cell.model.type === 'code' && cell.model.executionCount === null)
  .map(([cell, index]) => index)"""
PROBLEMS_IN_OUTPUTS = """() => Array.from(document.querySelectorAll('.jp-Cell-outputArea .jp-OutputArea-output'))
  .map(output => [output.getAttribute('data-mime-type'), output.innerText])
  .filter(([mime, text]) => mime === 'application/vnd.jupyter.stderr' || text.includes('Traceback')
          || text.includes('Error displaying widget') || text.trimStart().startsWith('interactive('))
  .map(([mime, text]) => (mime === 'application/vnd.jupyter.stderr' ? 'error or stderr output: ' : 'output: ')
                         + text.slice(0, 500))"""
# A value a code cell shows by ending in an expression (`0.0`, `[<Line2D ...>]`): a widget is
# meant to be shown that way, anything else is a stray value a student did not ask for.
STRAY_VALUES = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .map((cell, index) => [cell, index])
  .filter(([cell]) => cell.model.type === 'code')
  .flatMap(([cell, index]) => cell.model.outputs.toJSON()
    .filter(output => output.output_type === 'execute_result'
                      && !('application/vnd.jupyter.widget-view+json' in output.data))
    .map(output => `stray value in notebook cell ${index}: ${String(output.data['text/plain']).slice(0, 200)}`))"""
WIDGET_ROOTS = ".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output > .jupyter-widgets"
# In the page: time of the first input event since the last reset, and a recorder of the
# pictures added under a widget (each one's alt text and the time it finished loading).
INPUT_CLOCK = """() => {
  if (window.__inputAt !== undefined) return;
  window.__inputAt = null;
  const mark = () => { if (window.__inputAt === null) window.__inputAt = performance.now(); };
  for (const kind of ['keydown', 'input', 'change']) document.addEventListener(kind, mark, true);
}"""
WATCH_PICTURES = """root => {
  // A picture is new when its content differs from the one shown before: the Output widget
  // may re-render an unchanged picture (a state sync), which is not a redraw.
  const key = img => img.src.length + ':' + img.src.slice(-64) + ':' + img.alt;
  const shown = root.querySelector('img');
  root.__last = shown ? key(shown) : null;
  root.__pictures = [];
  if (root.__observer) root.__observer.disconnect();
  root.__observer = new MutationObserver(records => {
    for (const record of records) for (const node of record.addedNodes) {
      if (!(node instanceof Element)) continue;
      for (const img of [node, ...node.querySelectorAll('img')].filter(e => e.tagName === 'IMG')) {
        if (key(img) === root.__last) continue;
        root.__last = key(img);
        const picture = {alt: img.alt, at: null};
        root.__pictures.push(picture);
        const loaded = () => { picture.at = performance.now(); };
        if (img.complete) loaded(); else img.addEventListener('load', loaded, {once: true});
      }
    }
  });
  root.__observer.observe(root, {childList: true, subtree: true});
  window.__inputAt = null;
}"""


@dataclass
class Input:
    """One thing a person does to a widget, and what its picture must then say.

    ``action``: "key" presses key ``argument`` on the slider (or in the text box) labelled ``label``; "choose"
    picks option ``argument`` in its menu; "type" types ``argument`` at the start of its
    text box. ``expect`` must appear in the new picture's alt text, with ``{value}``
    replaced by what the control then shows.
    """

    label: str
    action: str
    argument: str
    expect: str


@dataclass
class Response:
    """What one input did: the pictures drawn, their alt texts, the time to the first."""

    pictures: int
    alt: str
    value: str
    expected: str
    seconds: float


# Which controls to move in each lesson's widgets, in the order the widgets appear.
WIDGET_INPUTS = {
    "01-images-as-arrays": [[Input("row", "key", "ArrowRight", "pixel ({value}, ")]],
    "02-perceptron": [[Input("step", "key", "ArrowRight", "step {value}: w = ")]],
    "03-losses-activations-gradient-descent": [[Input("point", "key", "ArrowRight", "derivative at {value}:")]],
    "04-mlps-and-xor": [[Input("unit", "choose", "sign", "{value} units:")]],
    "05-backpropagation": [[Input("output", "choose", "sigmoid", "{value} output:")]],
    "06-optimizers-learning-rates": [[Input("learning rate", "key", "ArrowRight", "lr={value}"),
                                      Input("optimiser", "choose", "Adam", "{value}, lr=")]],
    "07-initialization-normalization": [[Input("depth", "key", "ArrowRight", "{value} hidden layers")]],
    "08-regularization": [[Input("image", "key", "ArrowRight", "image {value}:")]],
    "09-convolution-by-hand": [
        [Input("kernel", "choose", "sharpen", "kernel: {value}"),
         Input("w[1,1]", "key", "ArrowRight", "kernel: custom")],
        [Input("stride S", "key", "ArrowRight", "stride {value}:"),
         Input("padding P", "key", "ArrowRight", "padding {value} ")],
    ],
    "11-recurrent-networks": [[Input("radius", "key", "ArrowRight", "spectral radius {value}")]],
    "12-lstm-and-gru": [
        [Input("inputs", "type", "7", "x at step 0 = [71, 0, 0]"),
         Input("step", "key", "ArrowRight", "at step {value}:"),
         Input("sharpness", "key", "ArrowLeft", "sharpness {value}, forget bias"),
         Input("forget bias", "key", "ArrowRight", "forget bias {value}")],
        [Input("step", "key", "ArrowRight", "at step {value}:")],
    ],
    "13-embeddings-and-attention": [[Input("word", "choose", "queen", "'{value}' (vermilion)")],
                                    [Input("example", "key", "ArrowRight", "example {value}:")]],
    "14-autoencoders": [[Input("z1", "key", "ArrowRight", "z = ({value}, ")]],
}


class LessonPage:
    """A notebook open in JupyterLab in a browser page, with what went wrong on the way."""

    def __init__(self, page, lab):
        self.page, self.lab = page, lab
        self.console_errors = []
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def open(self, path, timeout=120):
        """Open ``path`` (relative to the course) and wait for its kernel to be idle."""
        self.page.goto(self.lab.address(path))
        self.page.wait_for_function(KERNEL_IDLE, timeout=timeout * 1000, polling=200)
        self.page.evaluate(INPUT_CLOCK)

    def close(self):
        """Shut the notebook's kernel down (as File > Close and Shut Down does) and close the page."""
        self.page.evaluate("(() => { const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                           " return nb && nb.sessionContext ? nb.sessionContext.shutdown() : null; })()")
        self.page.close()

    def modified(self):
        """Whether Lab marks the notebook as changed (unsaved)."""
        return self.page.evaluate("window.jupyterapp.shell.currentWidget.context.model.dirty")

    def run_all(self, timeout=300):
        """Run > Run All Cells, as a student does; seconds until every cell has run."""
        started = time.perf_counter()
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        self.page.wait_for_function(RUN_ALL_DONE, timeout=timeout * 1000, polling=250)
        return time.perf_counter() - started

    def problems(self):
        """What a student would see go wrong after Run All: error and stderr outputs,
        tracebacks, widgets that did not render, stray values, cells left unrun, console errors."""
        found = self.page.evaluate(PROBLEMS_IN_OUTPUTS) + self.page.evaluate(STRAY_VALUES)
        unrun = self.page.evaluate(UNRUN_CELLS)
        if unrun:
            found.append(f"code cells that did not run (notebook cell indices): {unrun}")
        return found + [f"console error: {text}" for text in self.console_errors]

    def widgets(self):
        return self.page.locator(WIDGET_ROOTS).all()

    def control(self, widget, label):
        """The control row of ``widget`` whose label reads ``label``."""
        row = widget.locator(".widget-inline-hbox").filter(
            has=self.page.locator(".widget-label", has_text=label)).filter(
            has=self.page.get_by_text(label, exact=True))
        return row.first

    def value_of(self, control, action):
        if action == "choose":
            return control.locator("select").input_value()
        if action == "key" and control.locator(".widget-readout").count():
            # sliders write negative numbers with a minus sign, U+2212
            return control.locator(".widget-readout").inner_text().strip().replace("\u2212", "-")
        return ""

    def drive(self, widget, step, settle=0.4, timeout=60):
        """Do ``step`` (an ``Input``) to ``widget``; wait until its output settles; a ``Response``."""
        widget.evaluate(WATCH_PICTURES)
        control = self.control(widget, step.label)
        if step.action == "key":  # on a slider's handle, or in a text box
            control.locator(".noUi-handle, textarea").press(step.argument)
        elif step.action == "choose":
            control.locator("select").select_option(step.argument)
        elif step.action == "type":
            box = control.locator("textarea")
            box.press("Control+Home")
            box.press_sequentially(step.argument)
        else:
            raise ValueError(f"unknown action {step.action!r}")
        deadline = time.monotonic() + timeout
        count = lambda: widget.evaluate("root => root.__pictures.filter(p => p.at !== null).length")
        while count() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        quiet_since, seen = time.monotonic(), count()
        while time.monotonic() - quiet_since < settle and time.monotonic() < deadline:
            time.sleep(0.05)
            idle = self.page.evaluate(KERNEL_IDLE)
            if count() != seen or not idle:
                quiet_since, seen = time.monotonic(), count()
        record = widget.evaluate("root => ({pictures: root.__pictures, input: window.__inputAt})")
        drawn = [p for p in record["pictures"] if p["at"] is not None]
        value = self.value_of(control, step.action)
        latency = (drawn[0]["at"] - record["input"]) / 1000 if drawn and record["input"] is not None else float("nan")
        return Response(len(record["pictures"]), drawn[-1]["alt"] if drawn else "", value,
                        step.expect.format(value=value), latency)


if __name__ == "__main__":
    try:
        print(ensure_browser(say=lambda line: print(line, file=sys.stderr)) or "Playwright's Chromium")
    except BrowserMissing as problem:
        sys.exit(str(problem))
