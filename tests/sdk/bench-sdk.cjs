// The official Cartesia JS SDK (@cartesia/cartesia-js 4.2.0) as a client in
// tests/bench/cartesia-bench (issue 17): what a user of the SDK pays, beside
// the element and the bare libsoup client, against the same emulator.
//
//   node bench-sdk.cjs BASE_URL cpu TEXT
//       one utterance (S16LE 44.1 kHz) on an open WebSocket; from its first
//       chunk to its done prints
//       "result <cpu_us> <wakeups> <chunks> <bytes> <first_len>"
//       (process.cpuUsage() user+sys; wake-ups: the sum of voluntary and
//       nonvoluntary context switches of every thread of this process,
//       /proc/self/task/*/status; chunks and bytes after the first chunk)
//   node bench-sdk.cjs BASE_URL warm N TAG
//       N+5 short utterances (the first 5 warm up) on one open WebSocket,
//       10-20 ms apart; prints "utt <transcript> <interval_us>" for each
//       after the warm-up: from just before the request is sent to the first
//       chunk decoded
//   node bench-sdk.cjs BASE_URL cold N TAG
//       N utterances, each on a new client and a new connection; the
//       interval starts before the client is created
//
// Transcripts are "<TAG><two base-36 digits>", as the bench's other clients
// use, so the bench can subtract the emulator's own time per transcript.
// CommonJS: the SDK's ES module build cannot require() its peer `ws`.
const fs = require('node:fs');
const net = require('node:net');
const { Cartesia } = require('@cartesia/cartesia-js');

const VOICE = 'a0e99841-438c-4a64-b679-ae501e7d6091';
const FORMAT = { container: 'raw', encoding: 'pcm_s16le', sample_rate: 44100 };
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

function nowUs() {
  return Number(process.hrtime.bigint() / 1000n);
}

function wakeups() {
  let n = 0;
  for (const t of fs.readdirSync('/proc/self/task')) {
    let s;
    try {
      s = fs.readFileSync(`/proc/self/task/${t}/status`, 'utf8');
    } catch {
      continue; // the thread exited meanwhile
    }
    for (const m of s.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm))
      n += Number(m[1]);
  }
  return n;
}

function cpuUs() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function open(baseURL) {
  const client = new Cartesia({ apiKey: 'sk_car_bench', baseURL, maxRetries: 0 });
  // The SDK forces wss:// for the TTS websocket; the emulator speaks plain
  // ws on loopback, so the TCP connection is made here (tests/sdk/README.md).
  const ws = await client.tts.websocket({
    createConnection: (o) => net.connect({ host: o.host, port: o.port }),
  });
  ws.on('error', (e) => {
    console.error('websocket error:', e?.message ?? e);
    process.exit(1);
  });
  return ws;
}

// Speaks @transcript; calls onChunk(decodedBuffer) for each chunk.
async function speak(ws, transcript, onChunk) {
  const ctx = ws.context({
    model_id: 'sonic-3',
    voice: { mode: 'id', id: VOICE },
    output_format: FORMAT,
    language: 'en',
  });
  await ctx.send({ transcript, continue: false });
  for await (const msg of ctx.receive({ timeout: 120000 })) {
    if (msg.type === 'chunk' && msg.data) onChunk(Buffer.from(msg.data, 'base64'));
    if (msg.type === 'error') throw new Error(`server error: ${msg.title ?? ''} ${msg.message ?? ''}`);
    if (msg.done) break;
  }
}

function transcript(tag, i) {
  const k = i % (36 * 36);
  return `${tag}${DIGITS[Math.floor(k / 36)]}${DIGITS[k % 36]}`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const [baseURL, mode, arg, tag] = process.argv.slice(2);
  if (!baseURL || !['cpu', 'warm', 'cold'].includes(mode) || !arg) {
    console.error('usage: node bench-sdk.cjs BASE_URL cpu TEXT | warm N TAG | cold N TAG');
    process.exit(2);
  }
  if (mode === 'cpu') {
    const ws = await open(baseURL);
    let first = null, last = null, chunks = 0, bytes = 0, firstLen = 0;
    await speak(ws, arg, (buf) => {
      if (first === null) {
        first = { cpu: cpuUs(), wake: wakeups() };
        firstLen = buf.length;
      } else {
        chunks++;
        bytes += buf.length;
      }
    });
    last = { cpu: cpuUs(), wake: wakeups() };
    ws.close();
    if (first === null) throw new Error('no audio');
    console.log(`result ${last.cpu - first.cpu} ${last.wake - first.wake} ${chunks} ${bytes} ${firstLen}`);
    return;
  }
  const n = Number(arg);
  if (mode === 'warm') {
    const ws = await open(baseURL);
    for (let i = -5; i < n; i++) {
      const text = transcript(tag, i + 5);
      let t0 = 0, t1 = 0;
      t0 = nowUs();
      await speak(ws, text, () => { if (t1 === 0) t1 = nowUs(); });
      if (i >= 0) console.log(`utt ${text} ${t1 - t0}`);
      await sleep(10 + Math.random() * 10);
    }
    ws.close();
    return;
  }
  for (let i = 0; i < n; i++) {
    const text = transcript(tag, i);
    let t1 = 0;
    const t0 = nowUs();
    const ws = await open(baseURL);
    await speak(ws, text, () => { if (t1 === 0) t1 = nowUs(); });
    console.log(`utt ${text} ${t1 - t0}`);
    ws.close();
    await sleep(10 + Math.random() * 10);
  }
}

main().then(() => process.exit(0), (e) => {
  console.error('FAIL:', e?.message ?? e);
  process.exit(1);
});
