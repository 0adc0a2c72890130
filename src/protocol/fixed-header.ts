import type { Writer } from './writer';
import { vbiLength } from './writer';

/**
 * The fixed header (spec 2.1): packet type and flags in the first byte, then the Remaining Length
 * as a Variable Byte Integer.
 */

/** Sizes an encoder works out before it allocates, kept so the write pass need not redo them. */
export interface Measure {
  /** Remaining Length: everything after the fixed header. */
  remaining: number;
  /** Content length of the packet's property list. */
  props: number;
  /** Content length of the CONNECT will property list. */
  willProps: number;
}

export function newMeasure(): Measure {
  return { remaining: 0, props: 0, willProps: 0 };
}

/** Total bytes on the wire for a packet with this Remaining Length. */
export function totalLength(remaining: number): number {
  return 1 + vbiLength(remaining) + remaining;
}

export function writeFixedHeader(w: Writer, firstByte: number, remaining: number): void {
  w.u8(firstByte);
  w.vbi(remaining);
}
