#!/usr/bin/env python3
"""Two presenters on one live cartesiattssrc: broadcast automation in Python.

    two-presenters.py [--output FILE.wav] [--base-url URL]
                      [--voice-a UUID] [--voice-b UUID]

A show runs on one live source (is-live=true) while the script changes who
speaks and how, the two ways the element offers:

  - the properties, while PLAYING: presenter A's voice-id and emotion are set
    on the element, and every utterance queued after that uses them (one
    already speaking finishes as it began);
  - "queue-utterance-full": presenter B's items carry their own settings
    (voice, speed, emotion, language) in a GstStructure, for that utterance
    only, without touching the properties.

Each item is queued when the one before it has started, and the script
checks the element's messages: every item queued, started and finished, in
order, none failed, no warning; then it ends the stream with EOS.  Without
--output the audio goes to the speakers.

The API key comes from CARTESIA_API_KEY; the server is --base-url, else
CARTESIA_BASE_URL, else Cartesia's API (point it at a cartesia-emulator to
try it without an account: its espeak voice gives each voice id a voice of
its own, and hears speed and volume).  Needs python3-gi and python3-gst-1.0.
"""
import argparse
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GLib", "2.0")
from gi.repository import GLib, Gst  # noqa: E402

VOICE_A = "694f9389-aac1-45b6-b726-9d9369183238"
VOICE_B = "79a125e8-cd45-4c13-8a67-188112f4dd22"


def show(voice_a, voice_b):
    """The running order: (id, text, how).  "how" is either a dict of
    properties to set before queuing (presenter A) or a settings structure
    for queue-utterance-full (presenter B)."""
    return [
        ("weather", "Good evening. Here is the weather: calm and dry.",
         {"voice-id": voice_a, "emotion": "calm"}),
        ("traffic", "And now the traffic, live from the motorway.",
         f"presenter-b, voice-id=(string){voice_b}, speed=1.1, "
         "emotion=(string)excited"),
        ("noticias", "Y ahora, las noticias en español.",
         f"presenter-b, voice-id=(string){voice_b}, language=(string)es"),
        ("close", "That was the news. Good night.",
         {"emotion": "neutral"}),
    ]


class Show:
    def __init__(self, args):
        self.loop = GLib.MainLoop()
        self.items = show(args.voice_a, args.voice_b)
        self.next = 0
        self.finished = []
        self.problems = []

        sink = "audioconvert ! audioresample ! autoaudiosink"
        if args.output:
            sink = "audioconvert ! wavenc ! filesink name=out"
        self.pipeline = Gst.parse_launch(
            f"cartesiattssrc name=tts is-live=true ! {sink}")
        self.tts = self.pipeline.get_by_name("tts")
        if args.output:
            self.pipeline.get_by_name("out").set_property("location",
                                                          args.output)
        base_url = args.base_url or os.environ.get("CARTESIA_BASE_URL")
        if base_url:
            self.tts.set_property("base-url", base_url)

        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

    def queue_next(self):
        ident, text, how = self.items[self.next]
        self.next += 1
        if isinstance(how, dict):
            # Presenter A: the element's own settings, changed while PLAYING.
            for name, value in how.items():
                self.tts.set_property(name, value)
            self.tts.emit("queue-utterance", text, ident)
        else:
            # Presenter B: settings for this utterance only.
            settings = Gst.Structure.new_from_string(how)
            self.tts.emit("queue-utterance-full", text, ident, settings)
        print(f"queued {ident}: {text}")

    def on_message(self, bus, msg):
        t = msg.type
        if t == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            name = s.get_name()
            if name == "cartesia-utterance-started":
                # The next item goes to the server while this one speaks.
                if self.next < len(self.items):
                    self.queue_next()
            elif name == "cartesia-utterance-finished":
                ident = s.get_string("id")
                if s.get_value("interrupted"):
                    self.problems.append(f"{ident} was interrupted")
                self.finished.append(ident)
                print(f"finished {ident}: "
                      f"{s.get_value('duration') / Gst.SECOND:.2f} s")
                if len(self.finished) == len(self.items):
                    self.pipeline.send_event(Gst.Event.new_eos())
            elif name == "cartesia-utterance-failed":
                self.problems.append(f"{s.get_string('id')} failed: "
                                     f"{s.get_string('reason')}")
        elif t == Gst.MessageType.WARNING:
            err, _ = msg.parse_warning()
            self.problems.append(f"warning: {err.message}")
        elif t == Gst.MessageType.ERROR:
            err, _ = msg.parse_error()
            self.problems.append(f"error: {err.message}")
            self.loop.quit()
        elif t == Gst.MessageType.EOS:
            self.loop.quit()

    def run(self):
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            print("two-presenters: the pipeline did not start",
                  file=sys.stderr)
            return 1
        self.queue_next()
        # A bound for a stuck show: 20 s of speech at most here.
        GLib.timeout_add_seconds(60, self.on_timeout)
        self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)

        order = [i[0] for i in self.items]
        if self.finished != order:
            self.problems.append(f"finished {self.finished}, expected {order}")
        for p in self.problems:
            print(f"two-presenters: {p}", file=sys.stderr)
        return 1 if self.problems else 0

    def on_timeout(self):
        self.problems.append("the show did not end within 60 s")
        self.loop.quit()
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", help="write a WAV file instead of playing")
    parser.add_argument("--base-url", help="API root (e.g. an emulator)")
    parser.add_argument("--voice-a", default=VOICE_A, help="presenter A")
    parser.add_argument("--voice-b", default=VOICE_B, help="presenter B")
    args = parser.parse_args()
    Gst.init(None)
    if Gst.ElementFactory.find("cartesiattssrc") is None:
        print("two-presenters: cartesiattssrc not found (GST_PLUGIN_PATH?)",
              file=sys.stderr)
        return 1
    return Show(args).run()


if __name__ == "__main__":
    sys.exit(main())
