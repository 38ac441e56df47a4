"""Sphinx configuration of the course website; ./course site (dlcourse.site) runs Sphinx
with this folder as its configuration folder and the staged sources as its source folder."""

from dlcourse import site

config = site.settings()

project = "Deep learning, derived and run"
html_title = project
author = "the course's authors"
copyright = "the course's authors; code MIT"
extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["**.ipynb_checkpoints", "html", "html-sources"]

# Notebooks arrive executed (dlcourse.site runs them, or takes the test run's): never here.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# Nothing from another host: MathJax (SVG output: no font files) and the ipywidgets HTML
# manager (its bundle holds the standard widgets) are vendored in _static (VENDORED.md).
mathjax_path = "mathjax/tex-svg-full.js"
nb_ipywidgets_js = {"widgets-page.js": {}, "widgets/embed.js": {}}
html_static_path = ["_static"]
templates_path = ["_templates"]  # search-button-field.html: an accessible name
html_context = {"default_mode": "auto"}  # light or dark as the reader's system is
html_css_files = ["course.css"]
html_theme = "sphinx_book_theme"
html_theme_options = {
    "repository_url": site.repository_url(config=config),
    "repository_branch": config["branch"],
    "path_to_docs": "",
    "use_download_button": True,
    "use_repository_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "launch_buttons": {"binderhub_url": config["binderhub"], "notebook_interface": "jupyterlab"},
}
html_last_updated_fmt = None
html_show_sourcelink = False
suppress_warnings = ["mystnb.unknown_mime_type"]
