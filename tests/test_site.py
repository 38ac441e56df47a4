"""The course website (dlcourse.site, ./course site), built from the lessons that
tests/test_browser.py ran in JupyterLab in this same test run (execute once, use twice:
its last step saves each lesson, widget state and all, into site.executed_folder()), then
loaded page by page in Chromium: no console error, no failed request, nothing from another
host, maths typeset, every picture with a text alternative, widgets drawn, and no critical or
serious axe-core violation. And nothing of solutions/ on any page.

The build tests run on the worker that runs the second half of the browser tests (xdist
group browser1), after them; they wait for the first half's lessons from the other worker.
"""

import functools
import html
import http.server
import json
import re
import shutil
import threading
import time
import urllib.parse
from pathlib import Path

import nbformat
import pytest

from dlcourse import site

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.xdist_group("browser1")  # after test_browser.py's half on this worker
# The other worker's half of the browser tests is still running: wait while its lessons keep
# coming (one takes 2-4 minutes there); give up when none has come for this long.
QUIET_SECONDS = 6 * 60
AXE = ROOT / "site" / "vendor" / "axe.min.js"
EXTERNAL = re.compile(r"""(?:src|href|srcset|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
HTML_LOADS = re.compile(r"<(script|link|img|iframe|source|video|audio|object|embed)\b[^>]*>", re.I)
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(?:https?:)?//""", re.I)
# Addresses a vendored script holds but no current browser makes it load (the page test below
# would see the request): MathJax 3 fetches this XPath polyfill only where document.evaluate is missing (IE).
NEVER_LOADED = ("/wicked-good-xpath@",)
JS_EXTERNAL = re.compile(r"""["'](?:https?:)?//[^"'\s]+\.(?:js|mjs|css|woff2?|ttf|otf|eot)(?:\?[^"']*)?["']""", re.I)


# The site, from this run's executed lessons -------------------------------------------------

def wanted_lessons(session):
    """The lessons whose browser test is part of this run (their executed copies feed the site)."""
    prefix = "tests/test_browser.py::test_lesson_runs_in_jupyterlab_and_its_widgets_answer["
    return sorted({item.nodeid[len(prefix):].split("]")[0].split("@")[0]
                   for item in session.items if item.nodeid.startswith(prefix)})


@pytest.fixture(scope="module")
def built(request, tmp_path_factory):
    everything = sorted(p.stem for p in site.lessons())
    wanted = wanted_lessons(request.session)
    if wanted != everything:
        pytest.fail("the site test builds from every lesson as tests/test_browser.py ran it in this run, "
                    f"and this run has {len(wanted)} of the {len(everything)} lessons' browser tests: run "
                    "`./course test tests/test_browser.py tests/test_site.py` (or the whole suite), or "
                    "build a site on its own with `./course site --quick`")
    folder = site.executed_folder()
    missing, progress = everything, time.monotonic()
    while missing and time.monotonic() - progress < QUIET_SECONDS:
        time.sleep(2)
        still = [name for name in everything if not (folder / f"{name}.ipynb").exists()]
        if len(still) < len(missing):
            progress = time.monotonic()
        missing = still
    assert not missing, (f"no executed copy in {folder} of {missing}, and none came for {QUIET_SECONDS // 60} "
                         "minutes: their browser tests (tests/test_browser.py) failed or did not finish")
    out = tmp_path_factory.mktemp("site") / "html"
    started = time.perf_counter()
    site.build(out, executed=folder)
    print(f"site built in {time.perf_counter() - started:.0f} s, {site.size_mb(out):.1f} MB")
    shutil.rmtree(folder)  # this run's executed lessons: the site was their last use
    return out


def pages(out):
    return sorted(p for p in out.rglob("*.html") if "_static" not in p.parts)


def text_of(page):
    """A page's text as a reader gets it (code highlighted into spans reads as plain code)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(), flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_every_page_is_built_in_course_order(built):
    expected = [str(Path(p).with_suffix(".html")) for p in site.page_sources()[1:]]
    for path in ["index.html", "search.html", *expected]:
        assert (built / path).exists(), f"{path} was not built"
    home = (built / "index.html").read_text()
    positions = [home.find(f'href="{path}"') for path in expected]
    assert -1 not in positions, [p for p, at in zip(expected, positions) if at == -1]
    assert positions == sorted(positions), "the navigation is not in course order"
    assert (built / "searchindex.js").stat().st_size > 10_000


def test_every_link_inside_the_site_leads_somewhere(built):
    """Every relative link of every page names a file of the site, and its #anchor an id there."""
    ids, broken = {}, []
    for page in pages(built):
        for href in re.findall(r'href="([^"]+)"', page.read_text()):
            if re.match(r"[a-z][a-z0-9+.-]*:|//", href):
                continue  # another site (the repository, Binder): not ours to check offline
            path, _, anchor = href.partition("#")
            target = page.parent / urllib.parse.unquote(path.split("?")[0]) if path else page
            if not target.exists():
                broken.append(f"{page.relative_to(built)}: {href} (no such file)")
            elif anchor and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(re.findall(r'\sid="([^"]+)"', target.read_text()))
                if urllib.parse.unquote(anchor) not in ids[target]:
                    broken.append(f"{page.relative_to(built)}: {href} (no such anchor)")
    assert len(ids) > 20, "too few links with anchors were checked: has the theme changed?"
    assert not broken, "\n".join(broken[:20])


def test_notebook_pages_offer_the_notebook_and_binder(built):
    for source in site.page_sources()[1:-len(site.DOCS)]:
        page = (built / source).with_suffix(".html").read_text()
        assert html.escape(site.binder_url(source), quote=False) in page, f"{source}: no launch link"
        assert f"_sources/{source}" in page, f"{source}: no download link for the notebook"
        assert (built / "_sources" / source).exists()


def test_every_widget_says_it_needs_a_kernel_and_links_binder(built):
    """Under each widget a note says that its controls need a kernel, with the launch link."""
    with_widgets = 0
    for path in site.lessons():
        source = str(path.relative_to(ROOT))
        page = (built / source).with_suffix(".html").read_text()
        widgets = page.count('type="application/vnd.jupyter.widget-view+json"')
        notes = re.findall(r"Its controls need a running kernel.*?</p>", page, re.S)
        assert len(notes) == widgets, f"{source}: {widgets} widgets, {len(notes)} notes"
        assert all(html.escape(site.binder_url(source), quote=True) in note for note in notes), source
        with_widgets += widgets > 0
    assert with_widgets >= 10, f"only {with_widgets} lesson pages show a widget"


def solution_lines():
    """Code only solutions/ holds: hidden tests and solutions, lines long enough to be telling.
    A line that released material also holds is no secret: the student versions, the lessons
    and the course's package (lesson 12 prints dlcourse.lstm's backward pass, which A5 asks for
    after deriving it; a student has that file already)."""
    package = sorted((ROOT / "utils" / "dlcourse").rglob("*.py"))
    released = "\n".join(p.read_text() for p in [*site.assignments(), *site.lessons(), *package])
    found = set()
    for path in (ROOT / "solutions").glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for block in re.findall(r"BEGIN (?:HIDDEN TESTS|SOLUTION)\n(.*?)### END", cell.source, re.S):
                for line in map(str.strip, block.splitlines()):
                    as_written = (line, json.dumps(line)[1:-1])  # in a .py file, in a notebook's JSON
                    if len(line) >= 30 and not any(form in released for form in as_written):
                        found.add(line)
    return found


def test_nothing_of_the_solutions_is_published(built):
    secret = solution_lines()
    assert len(secret) > 50, "found too few solution lines to look for: has the marker format changed?"
    leaks = []
    for path in built.rglob("*"):
        if not path.is_file() or path.suffix not in {".html", ".js", ".ipynb", ".txt", ".json", ".md"}:
            continue
        text = text_of(path) if path.suffix == ".html" else path.read_text(errors="replace")
        # The instructor guide explains the markers; no other page may show one.
        markers = () if path.stem == "INSTRUCTORS" else ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION")
        leaks += [f"{path.relative_to(built)}: {marker}" for marker in markers if marker in text]
        if path.suffix == ".ipynb":
            text = "\n".join(json.loads(f'"{line}"') for line in re.findall(r'"((?:[^"\\]|\\.)*)"', text))
        leaks += [f"{path.relative_to(built)}: {line}" for line in secret if line in text]
    assert not leaks, "\n".join(leaks[:20])


def test_no_page_loads_anything_from_another_host(built):
    found = []
    for path in built.rglob("*"):
        if path.suffix == ".html":
            for tag in HTML_LOADS.finditer(path.read_text()):
                element = tag.group(0)
                is_link = element.lower().startswith("<link")
                loads = not is_link or re.search(r"rel=[\"']?(stylesheet|preload|icon|modulepreload|prefetch)", element)
                if loads and EXTERNAL.search(element):
                    found.append(f"{path.relative_to(built)}: {element[:200]}")
        elif path.suffix == ".css":
            found += [f"{path.relative_to(built)}: {m.group(0)}" for m in CSS_EXTERNAL.finditer(path.read_text())]
        elif path.suffix in {".js", ".mjs"}:
            found += [f"{path.relative_to(built)}: {m.group(0)}"
                      for m in JS_EXTERNAL.finditer(path.read_text(errors="replace"))
                      if not any(unused in m.group(0) for unused in NEVER_LOADED)]
    assert not found, "\n".join(found[:20])


# Every page in Chromium --------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(built):
    handler = functools.partial(QuietHandler, directory=str(built))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


CHECK_PAGE = """async () => {
  const main = document.querySelector('main') || document.body;
  const images = Array.from(main.querySelectorAll('img')).map(img => ({
    alt: (img.getAttribute('alt') || '').trim(), src: (img.getAttribute('src') || '').slice(0, 80),
    loaded: img.complete && img.naturalWidth > 0}));
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
  const widgets = Array.from(document.querySelectorAll('.widget-subarea > .jupyter-widgets, .jupyter-widgets.widget-container'))
    .filter(el => !el.parentElement.closest('.jupyter-widgets')).length;
  const broken = Array.from(document.querySelectorAll('.widget-subarea'))
    .some(area => area.innerText.includes('Error displaying widget'));
  return {images, views, widgets, broken,
          math: document.querySelectorAll('span.math, div.math').length,
          typeset: document.querySelectorAll('mjx-container').length};
}"""


def unhelpful_alt(image):
    """Why an image's text alternative says nothing, or None (Sphinx writes the file name when none is given)."""
    alt, src = image["alt"], image["src"]
    if not alt:
        return "no alt text"
    if re.search(r"\.(png|jpe?g|svg|gif)$", alt, re.I) or alt in src:
        return f"alt text is the file name ({alt})"
    return None


def test_alt_text_check_fails_on_an_image_without_one():
    assert unhelpful_alt({"alt": "", "src": "x.png"})
    assert unhelpful_alt({"alt": "../_images/abc.png", "src": "../_images/abc.png"})
    assert unhelpful_alt({"alt": "Weights w approaching w*", "src": "../_images/abc.png"}) is None


def test_every_page_in_a_browser(built, served, browser):
    problems, no_alt = {}, {}
    for path in pages(built):
        name = str(path.relative_to(built))
        found, images = check_page(browser, served, name)
        if found:
            problems[name] = found
        lacking = [f"{why} ({image['src']})" for image in images if (why := unhelpful_alt(image))]
        if lacking:
            no_alt[name] = lacking
    report = [f"{page}:\n  " + "\n  ".join(found) for page, found in problems.items()]
    report += [f"{page}: {len(lacking)} pictures without a text alternative, e.g. {lacking[0]}"
               for page, lacking in no_alt.items()]
    assert not report, "\n".join(report)


def test_search_finds_the_lessons(built, served, browser):
    """The search page works offline: a word from the decks finds the lessons that teach it."""
    page = browser.new_page()
    try:
        page.goto(f"{served}/search.html?q=backpropagation", wait_until="load")
        page.wait_for_function("() => document.querySelectorAll('ul.search li').length > 0", timeout=60_000)
        found = page.eval_on_selector_all("ul.search li a", "links => links.map(a => a.getAttribute('href'))")
    finally:
        page.close()
    assert any("05-backpropagation" in link for link in found), found


# The theme follows the reader's system (light or dark): one page of each kind in dark mode too.
DARK_MODE_PAGES = ("index.html", "lessons/10-cnns-in-keras.html", "lessons/12-lstm-and-gru.html",
                   "assignments/A2-mlp-backprop/A2-mlp-backprop.html", "docs/NOTATION.html")


def test_pages_in_dark_mode(built, served, browser):
    problems = {name: found for name in DARK_MODE_PAGES
                if (found := check_page(browser, served, name, color_scheme="dark")[0])}
    assert not problems, "\n".join(f"{name} (dark):\n  " + "\n  ".join(found) for name, found in problems.items())


def check_page(browser, served, name, color_scheme="light"):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
    found = []
    page.on("console", lambda message: message.type == "error" and found.append(f"console error: {message.text}"))
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: found.append(f"failed request: {request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400 and found.append(
        f"HTTP {response.status}: {response.url}"))

    def only_this_site(route):
        if route.request.url.startswith(served) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            found.append(f"request to another host: {route.request.url}")
            route.abort()

    page.route("**/*", only_this_site)
    try:
        page.goto(f"{served}/{name}", wait_until="load")
        theme = page.evaluate("document.documentElement.dataset.theme")
        if theme != color_scheme:
            found.append(f"the page is in {theme} mode, the reader's system asks for {color_scheme}")
        page.wait_for_function(
            """() => document.querySelectorAll('span.math, div.math').length
                     <= document.querySelectorAll('mjx-container').length""", timeout=60_000, polling=200)
        state = page.evaluate(CHECK_PAGE)
        if state["views"]:
            page.wait_for_function(
                "() => document.querySelectorAll('.widget-subarea img').length > 0", timeout=60_000, polling=200)
            state = page.evaluate(CHECK_PAGE)
        if state["math"] > state["typeset"]:
            found.append(f"{state['math'] - state['typeset']} formulas not typeset")
        if state["widgets"] < state["views"] or state["broken"]:
            found.append(f"{state['views']} widgets in the page, {state['widgets']} drawn"
                         + (", one says 'Error displaying widget'" if state["broken"] else ""))
        unloaded = [image["src"] for image in state["images"] if not image["loaded"]]
        if unloaded:
            found.append(f"pictures that did not load: {unloaded}")
        page.add_script_tag(content=AXE.read_text())
        violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
            .violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => `axe ${v.impact}: ${v.id} (${v.help}) at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join('; ')}`)""")
        found += violations
        return found, state["images"]
    finally:
        page.close()


# The one setting for the repository's address -------------------------------------------

def test_the_readme_agrees_with_the_publishing_settings():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\[!\[Binder\]\([^)]*\)\]\(([^)]+)\)", readme)
    assert badge, "the README has no Binder badge"
    expected = site.binder_url("lessons/01-images-as-arrays.ipynb")
    assert badge.group(1) == expected, (
        f"the README's Binder badge and site/publish.toml disagree: the badge links {badge.group(1)}, "
        f"site/publish.toml says {expected}")
    assert site.settings()["site_url"] in readme, (
        f"the README's 'read online' link is not site/publish.toml's site_url ({site.settings()['site_url']})")


def test_links_outside_the_site_point_at_the_repository():
    config = site.settings()
    staged = {"lessons/01-images-as-arrays.ipynb", "docs/NOTATION.md"}
    text = "[notation](../docs/NOTATION.md), [data](../data/README.md), f(x) [a](#goals) ![p](https://x.org/a.png)"
    assert site.rewrite_links(text, "lessons/01-images-as-arrays.ipynb", staged, config) == (
        f"[notation](../docs/NOTATION.md), [data]({site.repository_url('data/README.md', config)}), "
        "f(x) [a](#goals) p")


def test_a_lesson_without_its_executed_copy_or_widget_state_is_refused(tmp_path):
    """Bad input gets a clear message: a missing executed lesson, or widgets saved without state."""
    lesson = site.lessons()[0]
    with pytest.raises(site.SiteError, match=f"{lesson.name} is missing"):
        site.stage(tmp_path / "sources", executed=tmp_path, only=[lesson.stem])
    notebook = nbformat.read(lesson, as_version=4)
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    notebook.cells[-1] = nbformat.v4.new_code_cell("widget", outputs=[nbformat.v4.new_output(
        "display_data", data={site.WIDGET_VIEW: view, "text/plain": "Slider"})])
    nbformat.write(notebook, tmp_path / lesson.name)
    with pytest.raises(site.SiteError, match=f"carry no widget state.*{lesson.stem}"):
        site.stage(tmp_path / "sources", executed=tmp_path, only=[lesson.stem])
