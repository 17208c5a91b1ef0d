#!/usr/bin/env python3
"""Runs broadcast-automation headless against a local cartesia-emulator, and
the gst-launch line for live captions with fakesinks (a meson test).

    test-broadcast-automation.py --emulator EXE --program EXE
                                 [--gst-launch EXE] [--seconds S]

The program gets a three-line schedule (the second announcement is queued
while the first still speaks, so they play back to back; the third comes
after a pause) and must exit 0 after printing, in a consistent order: each
announcement queued, started, captioned and done; "ducked" at the starts of
the first and the third, "unducked" at the ends of the second and the third
(the music stays down between back-to-back announcements); the mixer
reaching the ducked level one ramp after each duck and full level one ramp
after each unduck; "schedule done: 3 announcements, 0 failed".

The launch line runs for --seconds, then gets SIGINT (as on Ctrl-C); it must
exit 0 after the element spoke its text (utterance messages), with the text
pad of textoverlay negotiated and the video still flowing to the end (a
textoverlay that waited for text would stall it).

No CARTESIA_API_KEY is passed: the program takes --base-url, and the launch
line an api-key property.  Nothing leaves the machine.  Exits 0, 1 (failure)
or 77 (skipped: no gst-launch-1.0 for the launch line is not a skip, it is
left out).
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile

SCHEDULE = [
    (0.3, "First announcement."),
    (1.0, "Second one, queued behind the first."),
    (5.0, "Third and last."),
]
RAMP = 0.25
DUCK = 0.2


def start_emulator(exe):
    # The synthetic voice: instant and deterministic (espeak-ng costs tens of
    # milliseconds per text, which this test's timing checks need not see).
    proc = subprocess.Popen([exe, "--port", "0", "--voice=synthetic"],
                            stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        sys.exit(f"the emulator did not start (got {url!r})")
    return proc, url


def child_env():
    env = dict(os.environ)
    env.pop("CARTESIA_API_KEY", None)
    return env


class Checker:
    def __init__(self, name, lines):
        self.name = name
        self.lines = lines
        self.problems = []

    def find(self, pattern, start=0):
        """Index and match of the first line at or after @start matching."""
        rx = re.compile(pattern)
        for i in range(start, len(self.lines)):
            m = rx.search(self.lines[i])
            if m:
                return i, m
        self.problems.append(f"{self.name}: no line matching {pattern!r}"
                             + (f" after line {start}" if start else ""))
        return None, None

    def times(self, pattern):
        """The first group, as a number, of every line matching."""
        rx = re.compile(pattern)
        return [float(m.group(1)) for m in map(rx.search, self.lines) if m]

    def count(self, pattern):
        rx = re.compile(pattern)
        return sum(1 for line in self.lines if rx.search(line))

    def expect(self, condition, what):
        if not condition:
            self.problems.append(f"{self.name}: {what}")


def check_program(args, url, workdir):
    schedule = os.path.join(workdir, "schedule.txt")
    with open(schedule, "w") as f:
        f.write("# seconds  text\n")
        for at, text in SCHEDULE:
            f.write(f"{at} {text}\n")
    cmd = [args.program, "--headless", "--base-url", url, "--schedule",
           schedule, "--tail", "1", "--ramp-ms", str(int(RAMP * 1000)),
           "--duck", str(DUCK), "--max-seconds", "20"]
    print("running:", " ".join(cmd), flush=True)
    try:
        result = subprocess.run(cmd, cwd=workdir, env=child_env(), text=True,
                                capture_output=True, timeout=40)
    except subprocess.TimeoutExpired as e:
        print(e.stdout or "", e.stderr or "")
        return [f"broadcast-automation: timed out after {e.timeout} s"]
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    c = Checker("broadcast-automation", result.stdout.splitlines())
    c.expect(result.returncode == 0, f"exit status {result.returncode}")
    c.find(r"^on air: 3 announcements, the last at 5\.0 s$")

    started, done = {}, {}
    for n, (_, text) in enumerate(SCHEDULE, 1):
        iq, _ = c.find(rf"^announcement {n} queued: {re.escape(text)}$")
        i_s, ms = c.find(rf"^announcement {n} started at ([0-9.]+) s")
        i_c, mc = c.find(rf"^caption at ([0-9.]+) s: {re.escape(text)}$")
        i_d, md = c.find(rf"^announcement {n} done at ([0-9.]+) s "
                         r"\(([0-9.]+) s of speech\)$")
        if None in (iq, i_s, i_c, i_d):
            continue
        started[n], done[n] = float(ms.group(1)), float(md.group(1))
        c.expect(iq < i_s < i_d, f"announcement {n}: queued, started, done "
                 "out of order")
        c.expect(float(mc.group(1)) == started[n],
                 f"announcement {n}: caption at {mc.group(1)} s, speech at "
                 f"{started[n]} s")
        c.expect(float(md.group(2)) > 0.3, f"announcement {n}: "
                 f"{md.group(2)} s of speech")
    c.expect(c.count("failed:") == 0, "an announcement failed")
    # What textoverlay shows from each start on: the last caption line with
    # that time.  (cartesiattssrc issue: at a back-to-back start the previous
    # announcement's clearing buffer comes after the new text, at the same
    # time, and wipes it; reported, not failed here.)
    for n, (_, text) in enumerate(SCHEDULE, 1):
        if n not in started:
            continue
        shown = None
        for line in c.lines:
            m = re.match(r"^caption (?:at ([0-9.]+) s: (.*)|cleared at "
                         r"([0-9.]+) s)$", line)
            if m and float(m.group(1) or m.group(3)) <= started[n]:
                shown = m.group(2) or ""
        if shown != text:
            print(f"NOTE: from {started[n]} s textoverlay shows {shown!r}, "
                  f"not announcement {n} (known cartesiattssrc issue)")
    c.expect(c.count("of silence waiting for the server") == 0,
             "an underrun")

    if len(started) == 3:
        # 1 and 2 back to back: 2 starts on the sample 1 ends on, and the
        # music stays down; then a pause before 3.
        c.expect(started[2] == done[1], f"announcement 2 started at "
                 f"{started[2]} s, not when 1 ended ({done[1]} s)")
        c.expect(started[3] > done[2] + 2 * RAMP, "no pause before 3")
        c.expect(started[1] >= SCHEDULE[0][0] - 0.1,
                 "announcement 1 started before it was due")
        times = c.times(rf"^ducked to {DUCK:.2f} at ([0-9.]+) s$")
        c.expect(times == [started[1], started[3]], f"ducked at {times}, "
                 f"expected at the starts of 1 and 3: {started[1]}, "
                 f"{started[3]}")
        times = c.times(r"^unducked at ([0-9.]+) s$")
        c.expect(times == [done[2], done[3]], f"unducked at {times}, "
                 f"expected at the ends of 2 and 3: {done[2]}, {done[3]}")
        # What the mixer applied: the bottom one ramp after each start, full
        # level one ramp after each end (to a mixer buffer of 10 ms).
        for what, times, refs in (
                ("down", c.times(rf"^music down to {DUCK:.2f} at "
                                 r"([0-9.]+) s$"), [started[1], started[3]]),
                ("back up", c.times(r"^music back to 1\.00 at ([0-9.]+) s$"),
                 [done[2], done[3]])):
            c.expect(len(times) == 2, f"the music went {what} {len(times)} "
                     "times, expected 2")
            for t, ref in zip(times, refs):
                late = t - ref - RAMP
                c.expect(-0.005 <= late <= 0.035, f"the music was {what} "
                         f"{late * 1000:.0f} ms after the end of the ramp "
                         f"that began at {ref} s")
    i, _ = c.find(r"^schedule done: 3 announcements, 0 failed$")
    if i is not None:
        c.find(r"^off air$", i)
    return c.problems


def check_launch_line(args, url):
    text = "Live captions from the emulator"
    pipeline = (
        "videotestsrc is-live=true ! "
        "video/x-raw,width=320,height=180,framerate=10/1 ! "
        "textoverlay name=ov ! fakesink name=vsink sync=true silent=false "
        f"cartesiattssrc name=tts is-live=true base-url={url} api-key=test "
        f'text="{text}" ! audioconvert ! fakesink sync=true '
        "tts.subtitle_src ! ov.text_sink")
    # As typed in a shell (the quotes around the text are the shell's).
    cmd = [args.gst_launch, "-m", "-v"] + [
        a.replace('"', "") for a in re.findall(r'(?:[^\s"]+|"[^"]*")+',
                                               pipeline)]
    print("running:", args.gst_launch, "-m -v", pipeline, flush=True)
    proc = subprocess.Popen(cmd, env=child_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=args.seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)     # Ctrl-C
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            return ["gst-launch-1.0: did not stop within 20 s of SIGINT"]
    lines = out.splitlines()
    for line in lines:
        if "last-message" not in line:
            print(line)
    c = Checker("gst-launch-1.0", lines)
    c.expect(proc.returncode == 0, f"exit status {proc.returncode}")
    c.find(r"cartesia-utterance-started, id=\(string\)utterance-1")
    c.find(r"cartesia-utterance-finished, id=\(string\)utterance-1")
    c.find(r"GstTextOverlay:ov\.GstPad:text_sink: caps = text/x-raw, "
           r"format=\(string\)utf8")
    c.expect(not any("ERROR" in line or "WARNING" in line for line in lines),
             "an error or warning")
    last = None
    for line in lines:
        m = re.search(r"vsink: last-message = chain.* pts: "
                      r"(\d+):(\d+):([0-9.]+)", line)
        if m:
            last = (int(m.group(1)) * 3600 + int(m.group(2)) * 60
                    + float(m.group(3)))
    c.expect(last is not None and last >= args.seconds - 1.5,
             f"the video stopped at {last} s of {args.seconds} s: "
             "textoverlay waited for text")
    print(f"gst-launch-1.0: video to {last} s", flush=True)
    return c.problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--program", required=True)
    parser.add_argument("--gst-launch")
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()

    emulator, url = start_emulator(args.emulator)
    problems = []
    try:
        with tempfile.TemporaryDirectory(prefix="gst-cartesia-ba-") as wd:
            problems += check_program(args, url, wd)
        if args.gst_launch:
            problems += check_launch_line(args, url)
        else:
            print("the launch line is not run here (no gst-launch-1.0 that "
                  "can load this plugin)")
    finally:
        emulator.send_signal(signal.SIGTERM)
        try:
            emulator.wait(timeout=20)
        except subprocess.TimeoutExpired:
            emulator.kill()
            emulator.wait()
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
