/**
 * Readers for the untyped values of a node's config object. The editor stores text inputs as
 * strings, checkboxes as booleans, and an imported or hand-written flow may hold anything, so
 * each reader accepts the forms the editor produces and reports everything else.
 */

export type Read<T> = { ok: true; value: T } | { ok: false };

const BAD: { ok: false } = { ok: false };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A whole number in `[min, max]`, from a number or its decimal text; blank reads as undefined. */
export function readInteger(value: unknown, min: number, max: number): Read<number | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return { ok: true, value: undefined };
    if (!/^\d+$/.test(text)) return BAD;
    n = Number(text);
  } else return BAD;
  return Number.isSafeInteger(n) && n >= min && n <= max ? { ok: true, value: n } : BAD;
}

/** A boolean, or the text `true` / `false`; absent reads as `fallback`. */
export function readBoolean(value: unknown, fallback: boolean): Read<boolean> {
  if (value === undefined || value === null || value === '') return { ok: true, value: fallback };
  if (typeof value === 'boolean') return { ok: true, value };
  if (value === 'true') return { ok: true, value: true };
  if (value === 'false') return { ok: true, value: false };
  return BAD;
}

/** One of `choices`; absent or blank reads as `fallback`. */
export function readChoice<T extends string>(value: unknown, choices: readonly T[], fallback: T): Read<T> {
  if (value === undefined || value === null || value === '') return { ok: true, value: fallback };
  const found = choices.find((c) => c === value);
  return found === undefined ? BAD : { ok: true, value: found };
}

/** Trimmed text; anything but a string (or absent) is refused. */
export function readText(value: unknown): Read<string> {
  if (value === undefined || value === null) return { ok: true, value: '' };
  return typeof value === 'string' ? { ok: true, value: value.trim() } : BAD;
}

/** A list; absent reads as empty. */
export function readList(value: unknown): Read<readonly unknown[]> {
  if (value === undefined || value === null || value === '') return { ok: true, value: [] };
  return Array.isArray(value) ? { ok: true, value } : BAD;
}
