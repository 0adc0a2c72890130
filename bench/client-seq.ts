/**
 * The payloads of `npm run bench:client`: each carries its sequence number as 10 zero-padded ASCII
 * digits at the start, so that either end can tell a lost or duplicated msg from the payload
 * alone, whether it arrives as a string or a Buffer.
 */

/** Digits of the sequence number at the start of each payload. */
export const SEQ_DIGITS = 10;

export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** The payload of message `seq`: its number in 10 zero-padded digits, then `padding`. */
export function payloadText(seq: number, padding: string): string {
  return String(seq).padStart(SEQ_DIGITS, '0') + padding;
}

/** The sequence number at the start of a payload, or -1 when it does not start with 10 digits. */
export function readSeq(payload: unknown): number {
  if (typeof payload === 'string') {
    let seq = 0;
    if (payload.length < SEQ_DIGITS) return -1;
    for (let i = 0; i < SEQ_DIGITS; i++) {
      const d = payload.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      seq = seq * 10 + d;
    }
    return seq;
  }
  if (Buffer.isBuffer(payload)) return readSeqAt(payload, 0, payload.length);
  return -1;
}

/** The sequence number of a payload held in `buf[at, end)`, or -1. */
export function readSeqAt(buf: Buffer, at: number, end: number): number {
  if (end - at < SEQ_DIGITS) return -1;
  let seq = 0;
  for (let i = at; i < at + SEQ_DIGITS; i++) {
    const d = (buf[i] ?? 0) - 48;
    if (d < 0 || d > 9) return -1;
    seq = seq * 10 + d;
  }
  return seq;
}

/** Writes the 10 digits of `seq` at `at`. */
export function writeSeqAt(buf: Buffer, at: number, seq: number): void {
  let rest = seq;
  for (let i = at + SEQ_DIGITS - 1; i >= at; i--) {
    buf[i] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
}

/** A sequence-number bitmap: which msgs arrived, and how often one arrived again. */
export class SeenSet {
  private bits = new Uint8Array(1 << 14);
  distinct = 0;
  duplicates = 0;

  /** Records `seq`; true when it is new. */
  add(seq: number): boolean {
    const byte = seq >>> 3;
    if (byte >= this.bits.length) {
      let size = this.bits.length * 2;
      while (size <= byte) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (seq & 7);
    const old = this.bits[byte] ?? 0;
    if ((old & mask) !== 0) {
      this.duplicates++;
      return false;
    }
    this.bits[byte] = old | mask;
    this.distinct++;
    return true;
  }
}
