// The official Cartesia JS SDK (@cartesia/cartesia-js 4.2.0) against the
// emulator: one sentence pushed as two continuations split inside a word
// must speak exactly as the whole sentence, because the server's buffer
// (max_buffer_delay_ms, 3000 ms by default) joins the inputs before it
// generates.  Usage: node sdk-check.cjs BASE_URL
// CommonJS: the SDK's ES module build cannot require() its peer `ws`.
const net = require('node:net');
const { Cartesia } = require('@cartesia/cartesia-js');

async function main() {
const baseURL = process.argv[2];
if (!baseURL) {
  console.error('usage: node sdk-check.cjs BASE_URL');
  process.exit(2);
}
const VOICE = 'a0e99841-438c-4a64-b679-ae501e7d6091';
const WHOLE = 'Thanks for coming, it was great to see you again.';
const CUT = 30; // inside "great"

const client = new Cartesia({ apiKey: 'sk_car_sdk_check', baseURL, maxRetries: 0 });
// The SDK forces wss:// for the TTS websocket; the emulator speaks plain ws
// on loopback, so the TCP connection is made here (shared/cartesia-protocol.md §8).
const ws = await client.tts.websocket({
  createConnection: (o) => net.connect({ host: o.host, port: o.port }),
});
ws.on('error', (e) => {
  console.error('websocket error:', e?.message ?? e);
  process.exit(1);
});

async function speak(parts, extra = {}) {
  const ctx = ws.context({
    model_id: 'sonic-3',
    voice: { mode: 'id', id: VOICE },
    output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 24000 },
    language: 'en',
    ...extra,
  });
  for (const transcript of parts) await ctx.push({ transcript });
  await ctx.no_more_inputs();
  const chunks = [];
  for await (const msg of ctx.receive({ timeout: 20000 })) {
    if (msg.type === 'chunk' && msg.data) chunks.push(Buffer.from(msg.data, 'base64'));
    if (msg.type === 'error') throw new Error(`server error: ${JSON.stringify(msg)}`);
    if (msg.done) break;
  }
  return Buffer.concat(chunks);
}

const whole = await speak([WHOLE]);
const split = await speak([WHOLE.slice(0, CUT), WHOLE.slice(CUT)]);
// The control: with max_buffer_delay_ms 0 each input is generated apart,
// so the check can tell the two apart (with a voice that is not tones).
const apart = await speak([WHOLE.slice(0, CUT), WHOLE.slice(CUT)], { max_buffer_delay_ms: 0 });
ws.close();

console.log(`whole sentence: ${whole.length} bytes`);
console.log(`two continuations cut at ${CUT} ("${WHOLE.slice(0, CUT)}|${WHOLE.slice(CUT)}"): ${split.length} bytes`);
console.log(`the same with max_buffer_delay_ms 0: ${apart.length} bytes`);
if (whole.length === 0) {
  console.error('FAIL: no audio');
  process.exit(1);
}
if (!whole.equals(split)) {
  console.error('FAIL: the continuations do not speak as the whole sentence');
  process.exit(1);
}
if (whole.equals(apart)) {
  console.error('FAIL: the control spoke the same: is the emulator using the synthetic voice?');
  process.exit(1);
}
console.log('PASS: the continuations speak exactly as the whole sentence');
}

main().catch((e) => {
  console.error('FAIL:', e?.message ?? e);
  process.exit(1);
});
