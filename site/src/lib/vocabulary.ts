// The palettes and kinds the API describes (GET /api/palettes, /api/kinds), loaded once.
import { api, unwrap } from './api/client';
import type { KindInfo, PaletteList } from './api/types';
import { once } from './useApi';

export function loadPalettes(): Promise<PaletteList> {
  return once('palettes', () => unwrap(api.GET('/api/palettes')));
}

export function loadKinds(): Promise<KindInfo[]> {
  return unwrap(api.GET('/api/kinds')).then((r) => r.kinds);
}

/** Where the small picture of a kind is (made at build time from the sample gallery). */
export function kindPictureUrl(kind: string): string {
  return `${import.meta.env.BASE_URL}kinds/${kind}.jpg`;
}
