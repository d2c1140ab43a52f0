// Makes one small square picture per kind from the committed sample gallery
// (infra/gallery/<Kind>/*.jpg) into public/kinds/<Kind>.jpg, so the kind picker
// shows real photos without any extra image in the repository.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';

const here = dirname(fileURLToPath(import.meta.url));
const gallery = join(here, '..', '..', 'infra', 'gallery');
const out = join(here, '..', 'public', 'kinds');
const SIZE = 96;

/** Box-filter downscale of the central square of an RGBA image to size x size. */
function squareThumb(src, size) {
  const side = Math.min(src.width, src.height);
  const x0 = Math.floor((src.width - side) / 2);
  const y0 = Math.floor((src.height - side) / 2);
  const data = Buffer.alloc(size * size * 4);
  const step = side / size;
  for (let ty = 0; ty < size; ty++) {
    const ys = Math.floor(y0 + ty * step);
    const ye = Math.max(ys + 1, Math.floor(y0 + (ty + 1) * step));
    for (let tx = 0; tx < size; tx++) {
      const xs = Math.floor(x0 + tx * step);
      const xe = Math.max(xs + 1, Math.floor(x0 + (tx + 1) * step));
      let r = 0, g = 0, b = 0, n = 0;
      for (let y = ys; y < ye; y++) {
        for (let x = xs; x < xe; x++) {
          const i = (y * src.width + x) * 4;
          r += src.data[i]; g += src.data[i + 1]; b += src.data[i + 2]; n++;
        }
      }
      const o = (ty * size + tx) * 4;
      data[o] = r / n; data[o + 1] = g / n; data[o + 2] = b / n; data[o + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

if (!existsSync(gallery)) {
  console.error(`kind-pictures: no gallery at ${gallery}`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });
let made = 0;
for (const kind of readdirSync(gallery).sort()) {
  const dir = join(gallery, kind);
  if (!statSync(dir).isDirectory()) continue;
  const files = readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort();
  if (files.length === 0) continue;
  const target = join(out, `${kind}.jpg`);
  if (existsSync(target) && statSync(target).mtimeMs >= statSync(join(dir, files[0])).mtimeMs) {
    made++;
    continue;
  }
  const img = jpeg.decode(readFileSync(join(dir, files[0])), { useTArray: true, formatAsRGBA: true });
  writeFileSync(target, jpeg.encode(squareThumb(img, SIZE), 80).data);
  made++;
}
console.log(`kind-pictures: ${made} pictures in public/kinds`);
