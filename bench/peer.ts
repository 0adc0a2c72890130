import type { Packet as PeerPacket } from 'mqtt-packet';
import * as mqttPacket from 'mqtt-packet';

/** Thin wrappers over mqtt-packet, the peer codec (and the test oracle). */

export type PeerVersion = 3 | 4 | 5;

export function peerEncode(packet: PeerPacket, version: PeerVersion): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: version });
}

/** `generate` with one options object reused across calls, as a long-lived client would. */
export function peerEncoder(version: PeerVersion): (packet: PeerPacket) => Buffer {
  const options = { protocolVersion: version };
  return (packet) => mqttPacket.generate(packet, options);
}

/** Parses `buf` with a fresh parser and returns every packet it emits; throws on a parse error. */
export function peerParseAll(buf: Buffer, version: PeerVersion): PeerPacket[] {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const out: PeerPacket[] = [];
  let failure: unknown;
  parser.on('packet', (packet) => out.push(packet));
  parser.on('error', (error: unknown) => {
    failure = error;
  });
  parser.parse(buf);
  if (failure !== undefined) throw failure;
  return out;
}

export function peerParseOne(buf: Buffer, version: PeerVersion): PeerPacket {
  const packets = peerParseAll(buf, version);
  const [packet] = packets;
  if (packets.length !== 1 || packet === undefined) {
    throw new Error(`mqtt-packet parsed ${packets.length} packets, expected 1`);
  }
  return packet;
}

/**
 * One long-lived parser, which is mqtt-packet's fast path. `decode(buf, n)` parses `buf` n times and
 * checks that the expected number of packets came out; it returns a sink of their lengths.
 */
export function peerStreamDecoder(
  version: PeerVersion,
  packetsPerBuffer: number,
): (buf: Buffer, n: number) => number {
  const parser = mqttPacket.parser({ protocolVersion: version });
  let count = 0;
  let lengths = 0;
  let failure: unknown;
  parser.on('packet', (packet) => {
    count++;
    lengths += packet.length ?? 0;
  });
  parser.on('error', (error: unknown) => {
    failure = error;
  });
  return (buf, n) => {
    const before = count;
    for (let i = 0; i < n; i++) parser.parse(buf);
    if (failure !== undefined) throw failure;
    if (count - before !== n * packetsPerBuffer) {
      throw new Error(`mqtt-packet emitted ${count - before} packets, expected ${n * packetsPerBuffer}`);
    }
    return lengths;
  };
}
