"""The student's kernel: runs their cells and calls their functions for the judge.

The judge starts it inside the sandbox as ``python -I -m dlcourse.grading.kernel``, with
the request pipe on standard input and the reply pipe on standard output. It runs the
student's cells in an IPython shell, as a notebook would, and answers requests:

    run       execute one cell; reply with its text output and error
    describe  is this name a function, a value, or missing?
    call      call the student's function with the judge's arguments; reply the value

The judge trusts nothing this process sends: a reply is data, checked by the judge's
tests in the judge's own process, never code (see wire.py).
"""

import contextlib
import io
import os
import signal
import tempfile

from dlcourse.grading import wire

MAX_TEXT = 100_000  # characters of output sent back per request


class CellTimeout(BaseException):
    """A cell ran out of time (a BaseException, so that `except Exception` cannot hide it)."""


class Kernel:
    def __init__(self, channel, capture_fd):
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        config.InteractiveShell.colors = "nocolor"
        self.shell = InteractiveShell.instance(config=config)
        self.shell._showtraceback = self.keep_traceback
        self.channel = channel
        self.capture_fd = capture_fd
        self.traceback = None
        self.depth = 0

    def keep_traceback(self, etype, evalue, stb):
        self.traceback = [str(line) for line in stb]

    def serve(self):
        """Answer requests until the judge closes the pipe."""
        while True:
            try:
                header, buffers = self.channel.receive()
            except wire.KernelDied:
                return
            self.channel.send(*self.handle(header, buffers))

    def request(self, header, buffers):
        """Ask the judge (a callback); serve the judge's own requests meanwhile."""
        self.channel.send(header, buffers)
        while True:
            reply, reply_buffers = self.channel.receive()
            if reply.get("reply"):
                return reply, reply_buffers
            self.channel.send(*self.handle(reply, reply_buffers))

    def handle(self, header, buffers):
        op = header.get("op")
        with self.captured() as output, self.time_limit(header.get("seconds")):
            try:
                if op == "run":
                    reply, out = self.run(header["code"]), []
                elif op == "describe":
                    reply, out = self.describe(header["name"])
                elif op == "call":
                    reply, out = self.call(header, buffers)
                else:
                    reply, out = {"raise": {"type": "ValueError", "message": f"unknown request {op!r}"}}, []
            except BaseException as error:  # the student's code may raise anything, even SystemExit
                reply, out = {"raise": {"type": type(error).__name__, "message": str(error)[:2000]}}, []
        reply.update(reply=True, output=output.getvalue()[:MAX_TEXT])
        return reply, out

    def run(self, code):
        self.traceback = None
        result = self.shell.run_cell(code, store_history=True)
        reply = {"ok": result.success}
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            reply["error"] = {
                "ename": type(error).__name__,
                "evalue": str(error)[:2000],
                "traceback": (self.traceback or [])[-40:],
            }
        return reply

    def describe(self, name):
        namespace = self.shell.user_ns
        if name not in namespace:
            return {"missing": True}, []
        value = namespace[name]
        if callable(value):
            return {"callable": True}, []
        encoder = wire.Encoder()
        return {"value": encoder.encode(value)}, encoder.buffers

    def call(self, header, buffers):
        function = self.shell.user_ns.get(header["name"])
        if not callable(function):
            raise NameError(f"name {header['name']!r} is not defined")
        decoder = wire.Decoder(buffers, call_back=self.callback, resolve_global=self.shell.user_ns.__getitem__)
        args, kwargs = decoder.decode(header["args"]), decoder.decode(header["kwargs"])
        before = [wire.fingerprint(leaf) for leaf in decoder.leaves]
        encoder = wire.Encoder()
        try:
            reply = {"value": encoder.encode(function(*args, **kwargs))}
        except BaseException as error:
            reply = {"raise": {"type": type(error).__name__, "message": str(error)[:2000]}}
        reply["mutated"] = wire.changed_leaves(decoder.leaves, before, encoder)
        return reply, encoder.buffers

    def callback(self, index):
        """A function that calls the judge's callable number ``index``."""

        def call_judge(*args, **kwargs):
            encoder = wire.Encoder()
            header = {"op": "callback", "id": index, "args": encoder.encode(list(args)), "kwargs": encoder.encode(kwargs)}
            reply, buffers = self.request(header, encoder.buffers)
            decoder = wire.Decoder(buffers)
            wire.copy_back(encoder.leaves, reply.get("mutated", []), decoder)
            if "raise" in reply:
                raise wire.student_error(reply["raise"]["type"], reply["raise"]["message"])
            return decoder.decode(reply["value"])

        return call_judge

    @contextlib.contextmanager
    def captured(self):
        """Collect what the request prints: Python's streams and the file descriptors 1, 2."""
        output = io.StringIO()
        start = os.fstat(self.capture_fd).st_size
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            try:
                yield output
            finally:
                output.write(os.pread(self.capture_fd, MAX_TEXT, start).decode(errors="replace"))
                os.ftruncate(self.capture_fd, start)

    @contextlib.contextmanager
    def time_limit(self, seconds):
        """Raise CellTimeout in the student's code after ``seconds`` (outermost request only)."""
        self.depth += 1
        armed = self.depth == 1 and seconds
        if armed:
            signal.signal(signal.SIGALRM, self.timed_out)
            signal.setitimer(signal.ITIMER_REAL, float(seconds))
        try:
            yield
        finally:
            if armed:
                signal.setitimer(signal.ITIMER_REAL, 0)
            self.depth -= 1

    @staticmethod
    def timed_out(signum, frame):
        raise CellTimeout("the cell ran out of time")


def main():
    read_fd, write_fd = os.dup(0), os.dup(1)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    _, path = tempfile.mkstemp(prefix="kernel-output-")
    appending = os.open(path, os.O_WRONLY | os.O_APPEND)
    os.dup2(appending, 1)
    os.dup2(appending, 2)
    capture_fd = os.open(path, os.O_RDWR)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full disk quota fails the write, not the kernel
    Kernel(wire.Channel(read_fd, write_fd), capture_fd).serve()


if __name__ == "__main__":
    main()
