// Writes a Brotli (.br) and a gzip (.gz) copy beside every text file of the built site (dist/),
// so `veglens run` can send them compressed without compressing on each request (a phone on a
// slow link waits for bytes, not for our CPU). Node's own zlib does the compressing; the cloud
// does not need these copies (CloudFront compresses, and publish-site.sh leaves them out).
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const TEXT = /\.(js|css|html|svg|json|txt|webmanifest)$/;

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (TEXT.test(e.name)) yield p;
  }
}

let raw = 0;
let br = 0;
let gz = 0;
for (const f of files(dist)) {
  const body = readFileSync(f);
  if (body.length < 1024) continue; // not worth a round of decompression
  const b = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  const g = gzipSync(body, { level: 9 });
  writeFileSync(`${f}.br`, b);
  writeFileSync(`${f}.gz`, g);
  raw += statSync(f).size;
  br += b.length;
  gz += g.length;
}
const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(`precompress: ${kB(raw)} of text -> ${kB(gz)} gzip, ${kB(br)} brotli`);
