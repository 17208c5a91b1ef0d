// The official SDK's WebSocket against cartesia-emulator --tls: it forces
// wss://, so it works only against TLS.  Usage:
//   NODE_EXTRA_CA_CERTS=ca.pem node websocket-tls.mjs BASE_URL OUT_FILE
// Writes the audio it received (raw pcm_s16le, 44100 Hz) to OUT_FILE; exits 1
// with the error on a failure, 2 when nothing came within 20 s.
// CommonJS through createRequire: the SDK's ESM build loads its optional
// peer dependency `ws` with require(), which ESM does not have, and then
// says ws is missing.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const Cartesia = require('@cartesia/cartesia-js').default;

const [baseURL, outFile] = process.argv.slice(2);
const timer = setTimeout(() => {
  console.error('no answer within 20 s');
  process.exit(2);
}, 20000);

try {
  const client = new Cartesia({ apiKey: 'sk_car_sdk_check', baseURL });
  const ws = await client.tts.websocket();
  ws.on?.('error', (e) => {
    console.error(`websocket error: ${e.message ?? e}`);
    process.exit(1);
  });
  const ctx = ws.context({
    model_id: 'sonic-3',
    voice: { mode: 'id', id: '694f9389-aac1-45b6-b726-9d9369183238' },
    output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 44100 },
  });
  const chunks = [];
  for await (const event of ctx.generate({ transcript: 'Hello world' })) {
    if (event.type === 'chunk' && event.data) chunks.push(Buffer.from(event.data, 'base64'));
    if (event.type === 'error') throw new Error(JSON.stringify(event));
  }
  writeFileSync(outFile, Buffer.concat(chunks));
  clearTimeout(timer);
  ws.close?.();
  process.exit(0);
} catch (e) {
  const err = e?.error ?? e;
  console.error(`${err?.code ?? err?.name ?? 'error'}: ${err?.message ?? String(err)}`);
  process.exit(1);
}
