import type { Packet, ProtocolLevel } from '../../src/protocol';
import { encodePacket, FrameDecoder } from '../../src/protocol';
import { Framer } from './frame';
import { checkAckTemplates, PAYLOAD_HEADER } from './packets';

/**
 * Checks, before anything is timed, that the generator's light scanner cuts a stream into the same
 * packets as our `FrameDecoder`, however the stream is split, and that the acknowledgements it
 * writes are what our codec encodes.
 */

function sample(level: ProtocolLevel): Packet[] {
  const payload = Buffer.alloc(PAYLOAD_HEADER + 200, 7);
  const props =
    level === 5 ? { userProperties: [['k', 'v'] as [string, string]], contentType: 'x' } : undefined;
  const publish = (qos: 0 | 1 | 2, packetId?: number): Packet => ({
    type: 'publish',
    topic: 'bench/p1',
    payload,
    qos,
    retain: false,
    dup: false,
    ...(packetId === undefined ? {} : { packetId }),
    ...(props === undefined ? {} : { properties: props }),
  });
  return [
    { type: 'connack', sessionPresent: false, reasonCode: 0 },
    { type: 'suback', packetId: 1, reasonCodes: [1] },
    publish(0),
    publish(1, 300),
    publish(2, 65535),
    { type: 'puback', packetId: 9, reasonCode: level === 5 ? 0x10 : 0 },
    { type: 'pubrel', packetId: 10, reasonCode: 0 },
    { type: 'pingresp' },
  ];
}

function scanTypes(stream: Buffer, chunk: number): number[] {
  const framer = new Framer();
  const types: number[] = [];
  const sink = { packet: (_buf: Buffer, first: number) => types.push(first >> 4) };
  for (let at = 0; at < stream.length; at += chunk) framer.push(stream.subarray(at, at + chunk), sink);
  if (framer.buffered !== 0) throw new Error(`scanner kept ${framer.buffered} bytes at the end`);
  return types;
}

const TYPE_NUMBER: Record<string, number> = {
  connack: 2,
  publish: 3,
  puback: 4,
  pubrel: 6,
  suback: 9,
  pingresp: 13,
};

export function selfCheck(): void {
  for (const level of [4, 5] as const) {
    checkAckTemplates(level);
    const packets = sample(level);
    const stream = Buffer.concat(packets.map((p) => encodePacket(p, level)));
    const decoded = new FrameDecoder({ protocolLevel: level })
      .push(stream)
      .map((p) => TYPE_NUMBER[p.type] ?? -1);
    for (let chunk = 1; chunk <= stream.length; chunk++) {
      const scanned = scanTypes(stream, chunk);
      if (scanned.join() !== decoded.join()) {
        throw new Error(
          `scanner read [${scanned}] where FrameDecoder read [${decoded}] (chunks of ${chunk})`,
        );
      }
    }
  }
}
