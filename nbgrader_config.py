"""nbgrader configuration for the course (read by every `nbgrader` command run here).

solutions/   the instructor's source notebooks (nbgrader's "source" folder)
assignments/ the student versions generated from them (nbgrader's "release" folder)
.nbgrader/   the gradebook, the exchange and the students' submission cache, local to
             this clone and ignored by git
"""

import os

course_root = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(course_root, ".nbgrader", "exchange"), exist_ok=True)
c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = course_root
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.course_id = "dlcourse"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(course_root, ".nbgrader", "gradebook.db")
c.Exchange.root = os.path.join(course_root, ".nbgrader", "exchange")
# The student side's cache (what `submit` keeps, what the Assignments tab lists as
# submitted, where fetch_feedback looks): nbgrader's default, ~/.local/share/jupyter/
# nbgrader_cache, is shared by every clone on the machine.
c.Exchange.cache = os.path.join(course_root, ".nbgrader", "cache")

# What a student sees in place of each solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Grading that survives hostile and broken submissions (dlcourse/grading/, explained in
# docs/INSTRUCTORS.md). The student's cells run in a bubblewrap sandbox; the tests run in
# the grader's own process against handles on the student's functions, so a submission
# can neither read the solutions nor forge a score. Cells the student deleted, copied or
# relabelled are repaired; outputs are kept as plain text; feedback shows no hidden test.
# These hold for every route: ./course grade, plain nbgrader commands, the formgrader.
c.JudgeInSandbox.cell_timeout = 300  # seconds: a graded cell may train a small model
c.JudgeInSandbox.memory_mb = 4096  # address space per process of the student's kernel
c.JudgeInSandbox.max_processes = 256  # processes and threads it may start
c.JudgeInSandbox.cpu_seconds = 1800  # CPU seconds per process of it
c.JudgeInSandbox.submission_timeout = 1800  # seconds for a whole submission
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "dlcourse.grading.preprocessors.RepairMetadata",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "dlcourse.grading.preprocessors.JudgeInSandbox",
    "dlcourse.grading.preprocessors.SafeOutputs",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "dlcourse.grading.preprocessors.HideHiddenTests",
    "dlcourse.grading.preprocessors.SafeOutputs",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# A second line behind SafeOutputs: nbconvert cleans what its own templates render of
# outputs (nbgrader's feedback and formgrade templates render markdown unsanitized,
# which is why SafeOutputs stores student markdown as clean HTML).
c.HTMLExporter.sanitize_html = True
# Student ids and file names become folder names: ids such as ../x are refused at submit,
# collect and zip_collect; collect --update names each submission it replaces;
# release_feedback names the students who handed in another way instead of crashing.
c.ExchangeFactory.submit = "dlcourse.grading.exchange.SafeSubmit"
c.ExchangeFactory.collect = "dlcourse.grading.exchange.SafeCollect"
c.ExchangeFactory.release_feedback = "dlcourse.grading.exchange.SafeReleaseFeedback"
c.ZipCollectApp.collector_plugin = "dlcourse.grading.exchange.SafeFileNameCollector"
