#!/usr/bin/env python3
"""Speak text with cartesiattssrc from Python (PyGObject).

    speak.py [--output FILE.wav] TEXT...        speak TEXT once, then exit
    speak.py --live [--output FILE.wav]         speak each line read on stdin
                                                as it comes, then exit at EOF

Without --output the audio goes to the speakers (autoaudiosink).

--live runs cartesiattssrc as a live source (is-live=true): it produces
silence while idle, and each line of stdin is queued with the
"queue-utterance" action signal; the element reports each utterance with
"cartesia-utterance-*" element messages.  At the end of stdin the script waits
for the queued utterances to finish and stops the pipeline with EOS.

The API key comes from CARTESIA_API_KEY (the element reads it itself).  The
server is --base-url, else CARTESIA_BASE_URL, else Cartesia's API: point
CARTESIA_BASE_URL at a running cartesia-emulator to try it without an account.

Needs python3-gi and python3-gst-1.0 (Debian), and GST_PLUGIN_PATH pointing
at the plugin when it is not installed.
"""
import argparse
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GLib", "2.0")
from gi.repository import GLib, Gst  # noqa: E402


class Speaker:
    def __init__(self, args):
        self.args = args
        self.loop = GLib.MainLoop()
        self.ok = True
        self.pending = set()  # utterance ids queued but not finished
        self.stdin_done = False
        self.eos_sent = False

        sink = "audioconvert ! audioresample ! autoaudiosink"
        if args.output:
            sink = "audioconvert ! wavenc ! filesink name=out"
        self.pipeline = Gst.parse_launch(f"cartesiattssrc name=tts ! {sink}")
        self.tts = self.pipeline.get_by_name("tts")
        if args.output:
            self.pipeline.get_by_name("out").set_property("location", args.output)
        base_url = args.base_url or os.environ.get("CARTESIA_BASE_URL")
        if base_url:
            self.tts.set_property("base-url", base_url)
        if args.live:
            self.tts.set_property("is-live", True)
        else:
            self.tts.set_property("text", " ".join(args.text))

        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

    # ---- bus ----

    def on_message(self, bus, msg):
        if msg.type == Gst.MessageType.EOS:
            self.loop.quit()
        elif msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            print(f"speak.py: error: {err.message}", file=sys.stderr)
            if debug:
                print(f"  ({debug})", file=sys.stderr)
            self.ok = False
            self.loop.quit()
        elif msg.type == Gst.MessageType.WARNING:
            err, _ = msg.parse_warning()
            print(f"speak.py: warning: {err.message}", file=sys.stderr)
        elif msg.type == Gst.MessageType.ELEMENT:
            self.on_element_message(msg.get_structure())

    def on_element_message(self, s):
        name = s.get_name()
        if name == "cartesia-utterance-started":
            print(f"speaking {s.get_string('id')}")
        elif name in ("cartesia-utterance-finished", "cartesia-utterance-failed"):
            uid = s.get_string("id")
            if name.endswith("failed"):
                print(f"{uid} failed: {s.get_string('reason')}", file=sys.stderr)
                self.ok = False
            self.pending.discard(uid)
            self.maybe_finish()

    # ---- live: lines from stdin ----

    def on_stdin(self, channel, condition):
        status, line, _, _ = channel.read_line()
        if status == GLib.IOStatus.EOF or line is None:
            self.stdin_done = True
            self.maybe_finish()
            return GLib.SOURCE_REMOVE
        line = line.strip()
        if line:
            uid = f"line-{self.lines}"
            self.lines += 1
            self.pending.add(uid)
            self.tts.emit("queue-utterance", line, uid)
        return GLib.SOURCE_CONTINUE

    def maybe_finish(self):
        # a live source never ends by itself: EOS once everything was said
        if self.args.live and self.stdin_done and not self.pending \
                and not self.eos_sent:
            self.eos_sent = True
            self.pipeline.send_event(Gst.Event.new_eos())

    def run(self):
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            # the reason (no key, bad base-url...) is an error on the bus
            msg = self.pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
            if msg:
                self.on_message(None, msg)
            else:
                print("speak.py: the pipeline does not start", file=sys.stderr)
            self.pipeline.set_state(Gst.State.NULL)
            return False
        if self.args.live:
            self.lines = 0
            channel = GLib.IOChannel.unix_new(sys.stdin.fileno())
            GLib.io_add_watch(channel, GLib.PRIORITY_DEFAULT,
                              GLib.IOCondition.IN | GLib.IOCondition.HUP,
                              self.on_stdin)
        self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        return self.ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="*", help="what to say (not with --live)")
    parser.add_argument("--output", "-o", help="write a WAV file instead of playing")
    parser.add_argument("--live", action="store_true",
                        help="live source; speak each line of stdin")
    parser.add_argument("--base-url", help="API root (default: $CARTESIA_BASE_URL)")
    args = parser.parse_args()
    if args.live == bool(args.text):
        parser.error("give TEXT, or --live and lines on stdin")

    Gst.init(None)
    if Gst.ElementFactory.find("cartesiattssrc") is None:
        print("speak.py: no cartesiattssrc element: set GST_PLUGIN_PATH to the "
              "build's gst/cartesia directory", file=sys.stderr)
        return 1
    ok = Speaker(args).run()
    if ok and args.output:
        print(f"wrote {args.output}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
