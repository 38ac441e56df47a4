"""The GPU check: every Keras notebook in full mode on a GPU, timed against a 2-core CPU.

    ./course bench --gpu                  run the check, write docs/gpu-check.md
    ./course bench --gpu NOTEBOOK ...     the same for some notebooks, which replace their rows
                                          (docs/gpu-check.json keeps them): a check in parts
    ./course bench --gpu --allow-cpu      run it without a GPU (to test the check itself)
    ./course bench --cpu-reference        time the same notebooks on 2 CPU cores (GPUs hidden)
                                          and write docs/cpu-reference.json

The notebooks are those that call ``runtime.setup_keras``: they run as students run them,
with op determinism on and TF32 off (setup_keras's default). The table gives, per
notebook, the device it said it trained on, its seconds here and on the CPU of the
reference file, the speed-up, and the results it printed with ``runtime.report`` (here
and on the CPU: the same checks must pass on both). A notebook whose checks fail on the
GPU shows its error instead, and the command exits with status 1.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from dlcourse.kernelspec import QUIET_TENSORFLOW
from dlcourse.nbrun import COURSE_ROOT, course_notebooks, run_notebook, user_environment
from dlcourse.runtime import RESULT_PREFIX, cpu_cores

TABLE = COURSE_ROOT / "docs" / "gpu-check.md"
REFERENCE = COURSE_ROOT / "docs" / "cpu-reference.json"
REFERENCE_CORES = 2
CELL_TIMEOUT = 1800  # a measurement, not a budget: ./course bench checks the budgets
HIDE_GPUS = {"CUDA_VISIBLE_DEVICES": "-1"}
# What a GPU run needs of this shell, as JupyterLab would pass it on to its kernels: where
# the driver's libraries are, which GPUs are visible, TensorFlow's and XLA's own settings.
GPU_VARIABLES = ("LD_LIBRARY_PATH", "CUDA_", "NVIDIA_", "TF_", "XLA_")
DEVICE_LINE = re.compile(r"^(Training on GPU: .+|No GPU found: training on the CPU \((\d+) cores\))", re.M)

# What TensorFlow sees, asked in a fresh process with the kernels' environment.
PROBE = """
import json, tensorflow as tf
gpus = []
for gpu in tf.config.list_physical_devices("GPU"):
    details = tf.config.experimental.get_device_details(gpu)
    name, capability = details.get("device_name", gpu.name), details.get("compute_capability")
    gpus.append(name + (f" (compute capability {capability[0]}.{capability[1]})" if capability else ""))
build = tf.sysconfig.get_build_info()
print(json.dumps({"gpus": gpus, "tensorflow": tf.__version__,
                  "cuda": build.get("cuda_version"), "cudnn": build.get("cudnn_version")}))
"""


@dataclass
class Run:
    """One notebook's run: where it trained, how long it took, what it reported."""

    notebook: str
    seconds: float = None
    device: str = "not printed"
    results: dict = field(default_factory=dict)
    error: str = ""


def keras_notebooks(root=COURSE_ROOT):
    """The lessons and solutions that call ``runtime.setup_keras``, in course order."""
    return [path for path in course_notebooks(root)
            if any("runtime.setup_keras(" in cell.source
                   for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")]


def name_of(path):
    path = Path(path).resolve()
    return str(path.relative_to(COURSE_ROOT)) if path.is_relative_to(COURSE_ROOT) else path.name


def gpu_variables(extra=None):
    """This shell's GPU_VARIABLES, and ``extra`` over them: what the check adds to a kernel's environment."""
    return {**{name: value for name, value in os.environ.items() if name.startswith(GPU_VARIABLES)},
            **(extra or {})}


def kernel_environment(extra=None):
    """The environment the check's kernels start with: dlcourse.nbrun's, the kernel spec's, ours."""
    return {**user_environment(quick=False), **gpu_variables(extra), **QUIET_TENSORFLOW}


def probe_devices(extra_env=None):
    """What TensorFlow sees from a kernel's environment: GPUs, versions. Raises RuntimeError."""
    done = subprocess.run([sys.executable, "-c", PROBE], env=kernel_environment(extra_env),
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"TensorFlow could not be asked which devices it sees ({last})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_name():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@contextlib.contextmanager
def pinned_to_cores(count):
    """Keep this process, and so the kernels it starts, on ``count`` cores (Linux) for a while.

    Yields the number of cores it got (all of them where the system cannot pin).
    """
    if not hasattr(os, "sched_setaffinity"):
        yield cpu_cores()
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, sorted(before)[:count])
    try:
        yield cpu_cores()
    finally:
        os.sched_setaffinity(0, before)


def read_run(notebook, name):
    """Device line and ``runtime.report`` results from an executed notebook's printed output."""
    text = "".join(output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
                   if output.get("output_type") == "stream" and output.get("name") == "stdout")
    run = Run(name)
    device = DEVICE_LINE.search(text)
    if device:
        line = device.group(1)
        run.device = f"CPU, {device.group(2)} cores" if device.group(2) else "GPU: " + line.split(": ", 1)[1]
    for line in text.splitlines():
        if line.startswith(RESULT_PREFIX) and " = " in line:
            key, value = line[len(RESULT_PREFIX):].rsplit(" = ", 1)
            run.results[key] = value
    return run


def run_one(path, quick, out_dir, extra_env=None):
    """Run one notebook on a fresh kernel; its Run, with the error when a cell fails."""
    name = name_of(path)
    copy = Path(out_dir) / Path(path).name
    if copy.exists():
        copy.unlink()
    seconds, error = None, ""
    try:
        _, seconds = run_notebook(path, quick=quick, cell_timeout=CELL_TIMEOUT, save_to=copy,
                                  env=gpu_variables(extra_env))
    except Exception as problem:  # the table reports it
        error = f"{getattr(problem, 'ename', type(problem).__name__)}: {getattr(problem, 'evalue', problem)}"
        error = " ".join(error.split())[:120]
    run = read_run(nbformat.read(copy, as_version=4), name) if copy.exists() else Run(name)
    run.seconds, run.error = seconds, error
    return run


def in_course_order(names):
    """Notebook names sorted as the course runs them (others after, by name)."""
    order = {name_of(path): index for index, path in enumerate(course_notebooks())}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def merged(previous, fresh, same_setting):
    """``fresh`` (name -> entry) over ``previous``'s entries when both ran in the same setting."""
    entries = dict(previous) if same_setting else {}
    entries.update(fresh)
    return {name: entries[name] for name in in_course_order(entries)}


def run_all(paths, quick, out_dir, extra_env=None):
    runs = []
    for path in paths:
        say(f"running {name_of(path)} ({'quick' if quick else 'full'} mode) ...")
        runs.append(run_one(path, quick, out_dir, extra_env))
        say(f"  {runs[-1].seconds and f'{runs[-1].seconds:.1f} s' or runs[-1].error}")
    return runs


def say(message):
    """Progress goes to stderr; stdout is the table."""
    print(message, file=sys.stderr, flush=True)


def today():
    return datetime.date.today().isoformat()


def results_text(results):
    return "; ".join(f"{key} = {value}" for key, value in results.items()) or "-"


def cell(text):
    """Text for a cell of a Markdown table (a | would end the cell)."""
    return str(text).replace("|", "\\|")


def speed_up_summary(pairs, cores):
    """One line on the speed-ups, for the table's page and the README; None without pairs."""
    if not pairs:
        return None
    ratios = sorted((cpu / gpu, name) for name, gpu, cpu in pairs)
    total = sum(cpu for _, _, cpu in pairs) / sum(gpu for _, gpu, _ in pairs)
    low, high = ratios[0], ratios[-1]
    return (f"Speed-up over a {cores}-core CPU: {low[0]:.1f}x ({low[1]}) to {high[0]:.1f}x ({high[1]}); "
            f"the {len(pairs)} notebooks together {total:.1f}x.")


def table_page(runs, devices, reference, quick, reference_path=REFERENCE):
    """docs/gpu-check.md: what ran where, the table, the speed-up in one line."""
    gpus = devices["gpus"]
    cores = reference["machine"]["cores"] if reference else REFERENCE_CORES
    measured = (reference or {}).get("notebooks", {})
    lines = ["# GPU check", ""]
    if not gpus:
        lines += ["**Not a GPU run**: TensorFlow saw no GPU, and `--allow-cpu` let the check run on the CPU",
                  "(this tests the check itself; it measures nothing about GPUs).", ""]
    lines += [
        f"Written by `./course bench --gpu` on {today()}: each notebook on a fresh kernel in "
        f"{'**quick** mode (a first look, not the check)' if quick else 'full mode'}, as students run it "
        "(`runtime.setup_keras`: op determinism on, TF32 off).", "",
        f"- Device: {', '.join(gpus) or 'no GPU'}; TensorFlow {devices['tensorflow']}"
        + (f", CUDA {devices['cuda']}, cuDNN {devices['cudnn']}" if devices.get("cuda") else "")
        + f"; {cpu_cores()} CPU cores ({cpu_name()}).",
    ]
    if reference:
        machine = reference["machine"]
        lines.append(f"- CPU reference: `{name_of(reference_path)}`, measured "
                     f"{reference['measured']} on {machine['cores']} cores of {machine['cpu']} "
                     f"(TensorFlow {machine['tensorflow']}, full mode).")
    else:
        lines.append(f"- CPU reference: none yet (`{name_of(reference_path)}`); make it with "
                     "`./course bench --cpu-reference` on a machine with 2 cores or more.")
    here = "GPU" if gpus else "here"
    lines += ["", f"| notebook | trained on | {here} (s) | {cores}-core CPU (s) | speed-up | results {here} "
              "| results on the CPU |", "|---|---|---:|---:|---:|---|---|"]
    pairs = []
    for run in runs:
        cpu = measured.get(run.notebook, {})
        seconds = f"{run.seconds:.1f}" if run.seconds is not None else "failed"
        cpu_seconds = f"{cpu['seconds']:.1f}" if cpu.get("seconds") else "not measured"
        ratio = "-"
        if run.seconds and cpu.get("seconds") and not quick:
            pairs.append((run.notebook, run.seconds, cpu["seconds"]))
            ratio = f"{cpu['seconds'] / run.seconds:.1f}x"
        results = results_text(run.results) + (f" **{run.error}**" if run.error else "")
        cells = [run.notebook, run.device, seconds, cpu_seconds, ratio, results,
                 results_text(cpu.get("results", {}))]
        lines.append("| " + " | ".join(map(cell, cells)) + " |")
    summary = speed_up_summary(pairs, cores) if gpus else None
    lines += ["", summary or "Speed-up: not measured (needs a GPU run in full mode and the CPU reference).", ""]
    return "\n".join(lines), summary


def gpu_check(args):
    try:
        devices = probe_devices()
    except RuntimeError as problem:
        say(f"GPU check: {problem}.")
        return 1
    if not devices["gpus"] and not args.allow_cpu:
        say("GPU check: TensorFlow sees no GPU here; set up with `./course lab --gpu` on a Linux machine "
            "with an NVIDIA GPU (README: GPUs), or pass --allow-cpu to test the check on the CPU.")
        return 1
    paths = [Path(p).resolve() for p in args.notebooks] or keras_notebooks()
    reference = json.loads(args.reference.read_text()) if args.reference.exists() else None
    out_dir = COURSE_ROOT / ".bench" / "gpu-check"  # the executed notebooks, to look at afterwards
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = {run.notebook: run for run in run_all(paths, args.quick, out_dir)}
    # Notebooks named on the command line replace their own rows: a long check can run in parts.
    data_file = args.output.with_suffix(".json")
    previous = json.loads(data_file.read_text()) if args.notebooks and data_file.exists() else {}
    same = previous.get("gpus") == devices["gpus"] and previous.get("quick") == args.quick
    kept = {name: Run(**entry) for name, entry in previous.get("runs", {}).items()}
    runs = merged(kept, runs, same)
    page, summary = table_page(list(runs.values()), devices, reference, args.quick, args.reference)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(page)
    data_file.write_text(json.dumps({"gpus": devices["gpus"], "quick": args.quick,
                                     "runs": {name: asdict(run) for name, run in runs.items()}}, indent=1) + "\n")
    print(page)
    say(f"wrote {args.output}" + (f"; for the README: {summary}" if summary else ""))
    return 1 if any(run.error for run in runs.values()) else 0


def cpu_reference(args):
    paths = [Path(p).resolve() for p in args.notebooks] or keras_notebooks()
    out_dir = COURSE_ROOT / ".bench" / "cpu-reference"
    out_dir.mkdir(parents=True, exist_ok=True)
    with pinned_to_cores(args.cores) as cores:
        if cores < args.cores:
            say(f"note: only {cores} cores here, fewer than {args.cores}; the file says so.")
        try:
            devices = probe_devices(HIDE_GPUS)
        except RuntimeError as problem:
            say(f"CPU reference: {problem}.")
            return 1
        runs = run_all(paths, quick=False, out_dir=out_dir, extra_env=HIDE_GPUS)
    machine = {"cpu": cpu_name(), "cores": cores, "tensorflow": devices["tensorflow"],
               "python": platform.python_version()}
    fresh = {run.notebook: {"seconds": run.seconds and round(run.seconds, 1), "device": run.device,
                            "results": run.results, "error": run.error, "measured": today()} for run in runs}
    # Notebooks named on the command line replace their own entries (same machine and versions).
    previous = json.loads(args.reference.read_text()) if args.notebooks and args.reference.exists() else {}
    reference = {
        "command": "./course bench --cpu-reference",
        "measured": today(),
        "machine": machine,
        "notebooks": merged(previous.get("notebooks", {}), fresh, previous.get("machine") == machine),
    }
    args.reference.parent.mkdir(parents=True, exist_ok=True)
    args.reference.write_text(json.dumps(reference, indent=1) + "\n")
    for run in runs:
        print(f"{run.notebook:55}{run.seconds and f'{run.seconds:10.1f} s' or run.error}")
    say(f"wrote {args.reference}")
    return 1 if any(run.error for run in runs) else 0


def parser():
    check = argparse.ArgumentParser(prog="./course bench --gpu", description=__doc__.splitlines()[0])
    check.add_argument("notebooks", nargs="*", type=Path,
                       help="notebooks to run (default: every one that calls runtime.setup_keras)")
    check.add_argument("--gpu", action="store_true", help="run the GPU check and write the table")
    check.add_argument("--cpu-reference", action="store_true",
                       help="time the notebooks on the CPU (GPUs hidden) and write the reference file")
    check.add_argument("--allow-cpu", action="store_true", help="run the GPU check even without a GPU")
    check.add_argument("--quick", action="store_true", help="quick mode instead of full (a first look)")
    check.add_argument("--cores", type=int, default=REFERENCE_CORES,
                       help=f"cores for --cpu-reference (default {REFERENCE_CORES})")
    check.add_argument("--output", type=Path, default=TABLE, help=f"the table (default {name_of(TABLE)})")
    check.add_argument("--reference", type=Path, default=REFERENCE,
                       help=f"the CPU reference file (default {name_of(REFERENCE)})")
    return check


def main(argv=None):
    args = parser().parse_args(argv)
    if args.cpu_reference:
        return cpu_reference(args)
    return gpu_check(args)


if __name__ == "__main__":
    sys.exit(main())
