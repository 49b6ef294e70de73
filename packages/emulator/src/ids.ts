// Salesforce record ids: 15 case-sensitive characters (key prefix, pod, counter) plus a
// 3-character checksum that makes the 18-character form case-insensitive.
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{18}$/;

export function checksum(id15: string): string {
  let out = "";
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += CHECKSUM_ALPHABET[bits];
  }
  return out;
}

export function to18(id: string): string {
  return id.length === 15 ? id + checksum(id) : id;
}

/** Returns the canonical 18-character id, or undefined when the text is not a well-formed id. */
export function normalizeId(text: string): string | undefined {
  if (ID15.test(text)) return text + checksum(text);
  if (ID18.test(text)) {
    const head = text.slice(0, 15);
    // The checksum makes 18-character ids case-insensitive; trust the checksum to restore case.
    if (checksum(head) === text.slice(15)) return text;
    const fixed = restoreCase(text);
    return fixed;
  }
  return undefined;
}

function restoreCase(id18: string): string | undefined {
  const suffix = id18.slice(15).toUpperCase();
  let head = "";
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = CHECKSUM_ALPHABET.indexOf(suffix[chunk]);
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const ch = id18[chunk * 5 + i];
      head += bits & (1 << i) ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return checksum(head) === suffix ? head + suffix : undefined;
}

export function looksLikeId(text: string): boolean {
  return normalizeId(text) !== undefined;
}

export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

/** Mints monotonically increasing ids per key prefix, so Id order is creation order. */
export class IdFactory {
  private readonly counters = new Map<string, number>();
  private readonly pod: string;
  constructor(pod = "Dm") {
    this.pod = pod;
  }

  next(keyPrefix: string): string {
    const n = (this.counters.get(keyPrefix) ?? 0) + 1;
    this.counters.set(keyPrefix, n);
    const id15 = [keyPrefix, this.pod, "0", encodeBase62(n, 9)].join("");
    // Joined, not concatenated: one flat string rather than a chain of pieces (see generator.ts).
    return id15.length === 15 ? [id15, checksum(id15)].join("") : id15;
  }

  /** The last number minted for each key prefix, to save with the org. */
  saved(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  /** Carries on from a saved org's counters: ids burnt by rolled-back writes stay burnt. */
  restore(saved: Record<string, number>): void {
    for (const [prefix, n] of Object.entries(saved))
      if (n > (this.counters.get(prefix) ?? 0)) this.counters.set(prefix, n);
  }

  /** Makes sure ids minted later sort after an id that was loaded from a seed. */
  observe(id: string): void {
    const prefix = keyPrefixOf(id);
    const n = decodeBase62(id.slice(6, 15));
    if (n !== undefined && n > (this.counters.get(prefix) ?? 0)) this.counters.set(prefix, n);
  }
}

/**
 * Whether id `a`'s counter (characters 7 to 15) is past id `b`'s: base-62 digits sort as their
 * character codes do, so this compares them without decoding. Loading a million records observes
 * only the latest of each batch.
 */
export function counterAfter(a: string, b: string): boolean {
  for (let i = 6; i < 15; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d > 0;
  }
  return false;
}

export function encodeBase62(n: number, width: number): string {
  let s = "";
  let v = n;
  while (v > 0) {
    s = BASE62[v % 62] + s;
    v = Math.floor(v / 62);
  }
  return s.padStart(width, "0");
}

function decodeBase62(text: string): number | undefined {
  let n = 0;
  for (const ch of text) {
    const d = BASE62.indexOf(ch);
    if (d < 0) return undefined;
    n = n * 62 + d;
  }
  return n;
}
