import { decodeBody, requireConnectFirst } from './decode';
import { MqttError, malformed } from './errors';
import { ReasonCode } from './reason-codes';
import type { Packet, ProtocolLevel } from './types';
import { MAX_VBI } from './writer';

export interface FrameDecoderOptions {
  /**
   * The largest packet accepted, fixed header included (the Maximum Packet Size this side
   * advertised). A larger one is refused from its fixed header, before its body is buffered.
   */
  maximumPacketSize?: number;
  /**
   * The protocol level of the packets to expect. Leave it unset on the server side: the first
   * packet must then be a CONNECT, and its level is used from there on.
   */
  protocolLevel?: ProtocolLevel;
}

/** The largest packet the protocol can express: a 4-byte Remaining Length plus the header. */
export const MAX_PACKET_SIZE = 1 + 4 + MAX_VBI;

/**
 * Turns a byte stream cut into arbitrary chunks into packets. Complete packets inside a chunk are
 * decoded in place, with payloads as slices of the chunk, so chunks given to `push` must not be
 * reused by the caller. A partial packet is kept as a list of chunks and joined once complete.
 * After a thrown `MqttError` the stream is unusable and the connection must be closed.
 */
export class FrameDecoder {
  protocolLevel: ProtocolLevel | undefined;
  maximumPacketSize: number;
  /** Bytes of an incomplete packet (or fixed header) seen so far; none between packets. */
  private pending: Buffer[] | undefined;
  private pendingBytes = 0;
  /** Total size of the incomplete packet, once its fixed header has been read; else 0. */
  private needed = 0;

  constructor(options: FrameDecoderOptions = {}) {
    this.protocolLevel = options.protocolLevel;
    this.maximumPacketSize = Math.min(options.maximumPacketSize ?? MAX_PACKET_SIZE, MAX_PACKET_SIZE);
  }

  /** Bytes held for a packet that has not yet arrived in full. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** Feeds one chunk and returns the packets it completes, in order. */
  push(chunk: Buffer): Packet[] {
    const out: Packet[] = [];
    let buf = chunk;
    const pending = this.pending;
    if (pending !== undefined) {
      if (this.needed > 0 && this.pendingBytes + chunk.length < this.needed) {
        pending.push(chunk);
        this.pendingBytes += chunk.length;
        return out;
      }
      pending.push(chunk);
      buf = Buffer.concat(pending, this.pendingBytes + chunk.length);
      this.pending = undefined;
      this.pendingBytes = 0;
      this.needed = 0;
    }
    let pos = 0;
    const end = buf.length;
    while (pos < end) {
      const first = buf[pos] as number;
      // Fixed header: the Remaining Length is 1 to 4 bytes after the first byte.
      let remaining = 0;
      let multiplier = 1;
      let headerLength = 0;
      for (let i = 1; i <= 4; i++) {
        if (pos + i >= end) break;
        const byte = buf[pos + i] as number;
        remaining += (byte & 0x7f) * multiplier;
        if ((byte & 0x80) === 0) {
          // [MQTT-1.5.5-1] the Remaining Length uses the fewest bytes that hold it.
          if (byte === 0 && i > 1) throw malformed('remaining length is not minimally encoded');
          headerLength = i + 1;
          break;
        }
        if (i === 4) throw malformed('remaining length longer than 4 bytes');
        multiplier *= 128;
      }
      if (headerLength === 0) {
        this.keep(buf, pos, 0);
        break;
      }
      if (this.protocolLevel === undefined) requireConnectFirst(first);
      const total = headerLength + remaining;
      if (total > this.maximumPacketSize) {
        // Spec 3.1.2.11.4 / 4.13: a packet over the advertised maximum is answered with 0x95.
        throw new MqttError(
          ReasonCode.PacketTooLarge,
          `packet of ${total} bytes exceeds the maximum packet size of ${this.maximumPacketSize}`,
        );
      }
      if (pos + total > end) {
        this.keep(buf, pos, total);
        break;
      }
      const level = this.protocolLevel ?? 5;
      const packet = decodeBody(first, buf, pos + headerLength, pos + total, level);
      if (packet.type === 'connect' && this.protocolLevel === undefined) {
        this.protocolLevel = packet.protocolLevel;
      }
      out.push(packet);
      pos += total;
    }
    return out;
  }

  private keep(buf: Buffer, pos: number, needed: number): void {
    const rest = buf.subarray(pos);
    this.pending = [rest];
    this.pendingBytes = rest.length;
    this.needed = needed;
  }
}
