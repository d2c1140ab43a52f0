import { KINDS, type Kind } from './api/types';

/** "Bitter_Gourd" -> "Bitter gourd": underscores to spaces, lower case, first letter upper. */
export function labelFromName(name: string): string {
  const words = name.replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Nouns that read the same for one and for many ("No red broccoli yet"). */
const UNCOUNTABLE: ReadonlySet<string> = new Set(['broccoli', 'okra', 'spinach', 'asparagus', 'celery']);

/**
 * The English plural of a lower-case name ("bitter gourd" -> "bitter gourds"); only its last word
 * changes. Uncountable nouns stay as they are; "sh", "ch", "s", "x", "z" and consonant + "o" take
 * "es" (radishes, potatoes); consonant + "y" becomes "ies"; anything else takes "s".
 */
export function pluralOf(name: string): string {
  const last = name.slice(name.lastIndexOf(' ') + 1);
  if (last === '' || UNCOUNTABLE.has(last)) return name;
  if (/(sh|ch|s|x|z)$/.test(last) || /[^aeiou]o$/.test(last)) return `${name}es`;
  if (/[^aeiou]y$/.test(last)) return `${name.slice(0, -1)}ies`;
  return `${name}s`;
}

/** "Bitter_Gourd" -> "Bitter gourd". */
export function kindLabel(kind: Kind): string {
  return labelFromName(kind);
}

/** "Tomato" -> "tomatoes". */
export function kindPlural(kind: Kind): string {
  return pluralOf(kindLabel(kind).toLowerCase());
}

/** The words for an empty search: "No violet tomatoes yet". */
export function noneFoundTitle(kind: Kind | null, colour: string | null): string {
  const what = kind ? kindPlural(kind) : 'vegetables';
  return colour ? `No ${colour} ${what} yet` : `No ${what} yet`;
}

/** 0.9234 -> "92%"; values under 1% keep one decimal; tiny ones read "<0.1%". */
export function percent(p: number): string {
  const v = p * 100;
  if (v > 0 && v < 0.1) return '<0.1%';
  if (v > 0 && v < 1) return `${v.toFixed(1)}%`;
  return `${Math.round(v)}%`;
}

/** 0.9936 -> "99.4%": for accuracies, where whole percents hide the differences. */
export function percent1(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** Milliseconds for people: "8.4 ms", "120 ms", "1.3 s". */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v >= 1000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 100) return `${Math.round(v)} ms`;
  return `${v.toFixed(1)} ms`;
}

/**
 * A size for people: "512 bytes", "12.4 KB", "10 MB" (KB and MB are 1024 and 1024² bytes). The
 * same rule as the service's FormatBytes (shared/veglens/size.go), so the site and the API's
 * messages say the same thing:
 * - one decimal, rounded UP, so a size just over a limit never reads like the limit itself
 *   (10 MiB + 1 byte is "10.1 MB", never "10 MB" or "10.0 MB");
 * - whole numbers drop the ".0" ("10 MB");
 * - the unit is chosen after rounding (1 MiB − 1 byte is "1 MB", not "1024 KB").
 * A fractional byte count is rounded up to whole bytes first.
 */
export function bytes(n: number): string {
  const KIB = 1024;
  const MIB = 1024 * 1024;
  const whole = Math.ceil(n);
  if (whole < KIB) return `${whole} bytes`;
  // KIB and MIB are powers of two, so whole * 10 / unit is exact and Math.ceil rounds it up exactly.
  const tenthsOf = (unit: number) => Math.ceil((whole * 10) / unit);
  const [unit, name] = whole >= MIB || tenthsOf(KIB) >= 10 * 1024 ? [MIB, 'MB'] : [KIB, 'KB'];
  const tenths = tenthsOf(unit);
  const units = Math.floor(tenths / 10);
  return tenths % 10 === 0 ? `${units} ${name}` : `${units}.${tenths % 10} ${name}`;
}

/** Readable text colour (black or white) on a background hex colour (WCAG luminance). */
export function textOn(hex: string): '#000000' | '#FFFFFF' {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return '#000000';
  const lin = (c: string) => {
    const v = parseInt(c, 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * lin(m[1]!) + 0.7152 * lin(m[2]!) + 0.0722 * lin(m[3]!);
  // Contrast against black is (l+0.05)/0.05, against white 1.05/(l+0.05).
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#FFFFFF';
}

/** Like kindLabel, for names that may not be one of the kinds (e.g. from free-form metrics). */
export function labelOf(name: string): string {
  return (KINDS as readonly string[]).includes(name) ? kindLabel(name as Kind) : name.replace(/_/g, ' ');
}

/** A search's total for people: "147", or "1,000+" when the API stopped counting (totalCapped). */
export function totalText(total: number, capped: boolean): string {
  const n = total.toLocaleString('en-GB');
  return capped ? `${n}+` : n;
}
