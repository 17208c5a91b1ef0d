#!/usr/bin/env python3
"""check-reference.py reads gst-inspect-1.0's output of GStreamer 1.22
(Debian 12) and of 1.24 and later (Debian 13: signals as `"name" -> type :`,
GstBaseSrc's automatic-eos a property) the same way.  Needs python3 only."""
import importlib.util
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "check_reference", os.path.join(here, "check-reference.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)

COMMON = """Factory Details:
  Rank                     none (0)

Plugin Details:
  Name                     cartesia
  Version                  0.1.0

Pad Templates:
  SRC template: 'src'
    Availability: Always

  SINK template: 'sink'
    Availability: On request

Element Properties:

  is-live             : Whether to act as a live source
                        flags: readable, writable
                        Boolean. Default: false

  speed               : Speed
                        flags: readable, writable
                        Double. Range:               0.6 -               1.5 Default:                 1
{extra}
  transport           : Which endpoint
                        flags: readable, writable
                        Enum "GstCartesiaTransport" Default: 0, "websocket"
                           (0): websocket        - WebSocket
                           (1): sse              - SSE

"""

V1_22 = COMMON.format(extra="") + """Element Signals:

  "pad-added" :  void user_function (GstElement* object,
                                     GstPad* arg0,
                                     gpointer user_data);

Element Actions:

  "queue-utterance" :  void user_function (GstElement* object,
                                           gchararray arg0,
                                           gchararray arg1);
  "interrupt" :  void user_function (GstElement* object);
  "clear" :  void user_function (GstElement* object);
"""

V1_26 = COMMON.format(extra="""
  automatic-eos       : Automatically EOS when the segment is done
                        flags: readable, writable
                        Boolean. Default: false
""") + """Element Signals:

  "pad-added" :  void user_function (GstElement* object,
                                     GstPad* arg0,
                                     gpointer user_data);

Element Actions:

  "queue-utterance" -> void  :  g_signal_emit_by_name (element, "queue-utterance",
                                                       const gchar * arg0,
                                                       const gchar * arg1);

  "interrupt" -> void  :  g_signal_emit_by_name (element, "interrupt");

  "clear" -> void  :  g_signal_emit_by_name (element, "clear");
"""

failures = 0
for name, text in (("1.22", V1_22), ("1.26", V1_26)):
    version, pads, props, signals = ref.parse_inspect(text)
    own = sorted(p for p in props if p not in ref.INHERITED)
    got = (version, pads, own, sorted(signals),
           props["transport"].enum_nicks, props["speed"].range)
    want = ("0.1.0", {"src": "always", "sink": "request"},
            ["is-live", "speed", "transport"],
            ["clear", "interrupt", "pad-added", "queue-utterance"],
            ["websocket", "sse"], (0.6, 1.5))
    if got != want:
        print(f"not ok - gst-inspect {name}: read {got}, expected {want}")
        failures += 1
    else:
        print(f"ok - gst-inspect {name}")
sys.exit(1 if failures else 0)
