#!/usr/bin/env python3
"""Runs one example against a local cartesia-emulator (a meson test driver).

    run-example.py --emulator EXE [--wav NAME[:SECONDS]]... [--file NAME]...
                   [--onsets NAME:T1,T2,...] [--stdin TEXT] [--timeout S]
                   -- COMMAND [ARG...]

Starts the emulator on a free loopback port, runs COMMAND in a fresh
temporary directory with CARTESIA_API_KEY and CARTESIA_BASE_URL set (and
"@URL@" in its arguments replaced by the URL), then checks that each --wav
file exists there, is mono PCM and holds at least SECONDS (default 0.2) of
audio that is not silence, that each --file exists and is not empty, and
that the speech in each --onsets WAV file begins (after at least 250 ms of
silence) at exactly the times given, within 20 ms.
Exits 77 (skipped) when COMMAND does, 1 on any
failure.  Nothing leaves the machine: the emulator listens on 127.0.0.1.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import wave

KEY = "example-key"


def start_emulator(exe):
    proc = subprocess.Popen([exe, "--port", "0", "--api-key", KEY],
                            stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        sys.exit(f"run-example: the emulator did not start (got {url!r})")
    return proc, url


def stop_emulator(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.returncode


def check_wav(path, min_seconds):
    """Returns a problem with the WAV file at @path, or None."""
    if not os.path.exists(path):
        return f"{path} was not written"
    try:
        with wave.open(path, "rb") as w:
            channels, width, rate, frames = (w.getnchannels(), w.getsampwidth(),
                                             w.getframerate(), w.getnframes())
            data = w.readframes(frames)
    except (wave.Error, EOFError) as e:
        return f"{path} is not a WAV file: {e}"
    seconds = frames / rate if rate else 0
    print(f"{os.path.basename(path)}: {channels} channel(s), {8 * width} bit, "
          f"{rate} Hz, {seconds:.2f} s")
    if channels != 1 or width != 2:
        return f"{path}: expected mono 16-bit audio"
    if seconds < min_seconds:
        return f"{path}: {seconds:.2f} s of audio, expected at least {min_seconds}"
    if not any(data):
        return f"{path}: only silence"
    return None


def speech_onsets(path):
    """Times (s) where speech begins after >= 250 ms of silence, in @path."""
    with wave.open(path, "rb") as w:
        rate, frames = w.getframerate(), w.getnframes()
        data = w.readframes(frames)
    samples = memoryview(data).cast("h")
    onsets, quiet = [], rate  # the start counts as after silence
    for i, v in enumerate(samples):
        if abs(v) > 30:
            if quiet >= rate // 4:
                onsets.append(i / rate)
            quiet = 0
        else:
            quiet += 1
    return onsets


def check_onsets(path, expected):
    if not os.path.exists(path):
        return f"{path} was not written"
    onsets = speech_onsets(path)
    print(f"{os.path.basename(path)}: speech begins at "
          + ", ".join(f"{t:.3f}" for t in onsets) + " s")
    if len(onsets) != len(expected) or any(
            abs(a - b) > 0.020 for a, b in zip(onsets, expected)):
        return (f"{path}: speech begins at {onsets}, expected {expected}")
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--wav", action="append", default=[])
    parser.add_argument("--file", action="append", default=[])
    parser.add_argument("--onsets", action="append", default=[])
    parser.add_argument("--stdin")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")

    workdir = tempfile.mkdtemp(prefix="gst-cartesia-example-")
    emulator, url = start_emulator(args.emulator)
    problems = []
    try:
        env = dict(os.environ, CARTESIA_API_KEY=KEY, CARTESIA_BASE_URL=url)
        command = [a.replace("@URL@", url) for a in command]
        print("running:", " ".join(command), flush=True)
        try:
            result = subprocess.run(command, cwd=workdir, env=env,
                                    input=args.stdin, text=True,
                                    timeout=args.timeout)
        except subprocess.TimeoutExpired:
            problems.append(f"timed out after {args.timeout} s")
            result = None
        if emulator.poll() is not None:
            problems.append("the emulator stopped while the example ran "
                            f"(status {emulator.returncode}): was it sent a "
                            "signal from outside?")
        if result is not None and result.returncode == 77:
            print("skipped by the example")
            return 77
        if result is not None and result.returncode != 0:
            problems.append(f"exit status {result.returncode}")
        for spec in args.wav:
            name, _, seconds = spec.partition(":")
            problem = check_wav(os.path.join(workdir, name),
                                float(seconds) if seconds else 0.2)
            if problem:
                problems.append(problem)
        for spec in args.onsets:
            name, _, times = spec.partition(":")
            problem = check_onsets(os.path.join(workdir, name),
                                   [float(t) for t in times.split(",")])
            if problem:
                problems.append(problem)
        for name in args.file:
            path = os.path.join(workdir, name)
            if not os.path.exists(path) or os.path.getsize(path) == 0:
                problems.append(f"{name} was not written")
    finally:
        status = stop_emulator(emulator) if emulator.poll() is None else 0
        if status != 0:
            problems.append(f"the emulator exited with status {status}")
        shutil.rmtree(workdir, ignore_errors=True)

    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
