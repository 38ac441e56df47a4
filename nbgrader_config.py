"""nbgrader configuration for the course (read by every `nbgrader` command run here).

solutions/   the instructor's source notebooks (nbgrader's "source" folder)
assignments/ the student versions generated from them (nbgrader's "release" folder)
.nbgrader/   the gradebook and the exchange, local to this clone and ignored by git
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

# A graded cell may train a small model: give it 5 minutes, not nbgrader's 30 s.
c.ExecutePreprocessor.timeout = 300
# What a student sees in place of each solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Grading that survives bad submissions (dlcourse/grading.py; tests/test_grading.py):
# only an error fails a test cell, not text on stderr (TensorFlow's start-up notices,
# a correct answer's warnings); a test cell the student deleted is put back from the
# source; copied cells with a duplicate id do not fail the whole notebook; huge
# printouts are cut; feedback never shows hidden tests. These hold for every route:
# ./course grade, plain nbgrader commands and the formgrader in JupyterLab.
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "dlcourse.grading.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "dlcourse.grading.StderrIsNotAFailure",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "dlcourse.grading.LimitText",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "dlcourse.grading.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
