"""nbgrader's hand-in routes, with ids that cannot escape their folders (nbgrader_config.py).

A student id or file name becomes a path (``submitted/<student>/<assignment>/<file>``),
so ``../x`` would write elsewhere. These refuse such ids at ``submit``, ``collect`` and
``zip_collect``; ``collect`` refuses hand-ins holding links; ``collect --update`` names
every submission it replaces;
``release_feedback`` skips, by name, students who did not hand in through the exchange.
"""

import glob
import os
import re
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.plugins.zipcollect import FileNameCollectorPlugin

# Letters, digits, dot, dash, underscore; not starting with a dot (no "..", no hidden files).
VALID_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
VALID_FILE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_. -]*$")


def invalid_id(student_id):
    """Why ``student_id`` cannot be used as a folder name, or None."""
    if not VALID_ID.match(student_id or ""):
        return f"the student id {student_id!r} may hold only letters, digits, '.', '-' and '_' (and not start with '.')"
    return None


def holds_links(folder):
    """Why a handed-in folder may not be copied (it holds a link or a special file), or None.

    nbgrader copies hand-ins following links, with the instructor's rights: a link to
    ../../solutions/ would be collected as the student's work.
    """
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(top, name)
            if os.path.islink(path) or not (os.path.isdir(path) or os.path.isfile(path)):
                return f"{os.path.relpath(path, folder)} is a link or a special file"
    return None


class SafeSubmit(ExchangeSubmit):
    """``nbgrader submit``, refusing ids with path characters."""

    def init_dest(self):
        if self.coursedir.student_id != "*":  # an id given with --student
            reason = invalid_id(self.coursedir.student_id)
            if reason:
                self.fail(f"Refusing to submit: {reason}")
        super().init_dest()


class SafeCollect(ExchangeCollect):
    """``nbgrader collect``: refuses ids with path characters, names what --update replaces."""

    def init_src(self):
        super().init_src()
        kept = []
        for record in self.src_records:
            reason = invalid_id(record["username"]) or holds_links(os.path.join(self.inbound_path, record["filename"]))
            if reason:
                self.log.error("Not collected %s: %s", record["filename"], reason)
            else:
                kept.append(record)
        self.src_records = kept

    def copy_files(self):
        for record in self.src_records:
            folder = self.coursedir.format_path(
                self.coursedir.submitted_directory, record["username"], self.coursedir.assignment_id
            )
            old = self.coursedir.get_existing_timestamp(folder) if os.path.isdir(folder) else None
            if old is not None and self.update and record["timestamp"] > old:
                self.log.warning(
                    "Replacing the submission of %s handed in at %s with the one handed in at %s (%s)",
                    record["username"], old, record["timestamp"], record["filename"],
                )
        super().copy_files()


class SafeFileNameCollector(FileNameCollectorPlugin):
    """``nbgrader zip_collect``: a student id or file name with path characters is skipped."""

    def collect(self, submitted_file):
        info = super().collect(submitted_file)
        if info is None:
            return None
        reason = invalid_id(info.get("student_id"))
        if reason is None and not VALID_FILE.match(info.get("file_id") or ""):
            reason = f"the file name {info.get('file_id')!r} is not a plain file name"
        if reason:
            self.log.error("Skipped %s: %s", submitted_file, reason)
            return None
        return info


class SafeReleaseFeedback(ExchangeReleaseFeedback):
    """``nbgrader release_feedback``: students collected another way (zip_collect) are named, not a crash.

    nbgrader releases feedback under a secret that only an exchange hand-in has.
    """

    def copy_files(self):
        pattern = self.coursedir.format_path(self.coursedir.feedback_directory, "*", self.coursedir.assignment_id)
        others = sorted(Path(f).parent.name for f in glob.glob(pattern) if not Path(f, "submission_secret.txt").exists())
        if others:
            self.log.warning("Not released (they did not hand in through the exchange; send them their "
                             "feedback/ files yourself): %s", ", ".join(others))
            excluded = [s for s in (self.coursedir.student_id_exclude or "").split(",") if s]
            self.coursedir.student_id_exclude = ",".join(excluded + others)
        super().copy_files()
