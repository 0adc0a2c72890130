import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket, encodePackets } from '../../src/protocol/encode';
import { FrameDecoder } from '../../src/protocol/frame-decoder';
import type { Packet, ProtocolLevel } from '../../src/protocol/types';
import { anyPacket, LEVELS } from '../support/arbitraries';
import { expectMqttError } from '../support/expect';
import { GOLDEN, type GoldenPacket, goldenAt } from '../support/golden';
import {
  fromMqttPacket,
  groupUserProperties,
  mapUserProperties,
  parseWithMqttPacket,
} from '../support/mqtt-packet-map';

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/** Feeds `chunks` to a fresh decoder at `level` and returns every packet it produced. */
function decodeChunks(chunks: readonly Buffer[], level: ProtocolLevel | undefined): Packet[] {
  const decoder = new FrameDecoder(level === undefined ? {} : { protocolLevel: level });
  const out: Packet[] = [];
  for (const chunk of chunks) out.push(...decoder.push(chunk));
  assert.equal(decoder.buffered, 0, 'nothing left over');
  return out;
}

/** `buf` cut at the given sorted positions. Each piece is a copy, as a socket would deliver it. */
function cut(buf: Buffer, positions: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const to of [...positions, buf.length]) {
    chunks.push(Buffer.from(buf.subarray(from, to)));
    from = to;
  }
  return chunks;
}

function connect(level: ProtocolLevel): Packet {
  return {
    type: 'connect',
    protocolName: level === 3 ? 'MQIsdp' : 'MQTT',
    protocolLevel: level,
    clientId: `c${level}`,
    cleanStart: true,
    keepAlive: 60,
  };
}

const encoded = new Map<GoldenPacket, Buffer>(GOLDEN.map((g) => [g, encodePacket(g.packet, g.level)]));

function bytesOf(g: GoldenPacket): Buffer {
  const bytes = encoded.get(g);
  if (bytes === undefined) throw new Error(`no encoding for ${g.name}`);
  return bytes;
}

describe('FrameDecoder', () => {
  describe('golden packets', () => {
    for (const g of GOLDEN) {
      describe(`${g.name} (level ${g.level})`, () => {
        it('encodes to bytes that mqtt-packet parses to the same packet', () => {
          const bytes = bytesOf(g);
          assert.deepEqual(decodePacket(bytes, g.level), g.packet);
          // mqtt-packet cannot parse an AUTH with an empty body (spec 3.15.2.1); see oracle.test.ts.
          if (g.packet.type === 'auth' && bytes.length === 2) return;
          const parsed = fromMqttPacket(parseWithMqttPacket(bytes, g.level), g.level);
          assert.deepEqual(parsed, mapUserProperties(g.packet, groupUserProperties));
        });

        it('decodes it split into two chunks at every byte position', () => {
          const bytes = bytesOf(g);
          for (let i = 0; i <= bytes.length; i++) {
            const chunks = [bytes.subarray(0, i), bytes.subarray(i)];
            assert.deepEqual(decodeChunks(chunks, g.level), [g.packet], `split at ${i}`);
          }
        });

        it('decodes it fed one byte at a time', () => {
          const bytes = bytesOf(g);
          const decoder = new FrameDecoder({ protocolLevel: g.level });
          const out: Packet[] = [];
          for (let i = 0; i < bytes.length; i++) {
            const packets = decoder.push(bytes.subarray(i, i + 1));
            if (i < bytes.length - 1) {
              assert.deepEqual(packets, [], `nothing before the last byte (byte ${i})`);
              assert.equal(decoder.buffered, i + 1);
            }
            out.push(...packets);
          }
          assert.deepEqual(out, [g.packet]);
          assert.equal(decoder.buffered, 0);
        });
      });
    }
  });

  describe('streams of golden packets', () => {
    for (const level of LEVELS) {
      const golden = goldenAt(level);
      const packets = golden.map((g) => g.packet);
      const stream = Buffer.concat(golden.map(bytesOf));

      it(`decodes every level ${level} golden packet from one chunk, in order`, () => {
        assert.deepEqual(decodeChunks([stream], level), packets);
      });

      it(`decodes the level ${level} stream cut into random chunks`, () => {
        const positions = fc
          .uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 })
          .map((p) => p.sort((a, b) => a - b));
        fc.assert(
          fc.property(positions, (cuts) => {
            assert.deepEqual(decodeChunks(cut(stream, cuts), level), packets);
          }),
          { numRuns: 200 },
        );
      });

      it(`decodes the level ${level} stream with an empty chunk between every two bytes`, () => {
        const chunks: Buffer[] = [];
        for (let i = 0; i < stream.length; i++) chunks.push(stream.subarray(i, i + 1), Buffer.alloc(0));
        assert.deepEqual(decodeChunks(chunks, level), packets);
      });
    }

    it('decodes a server-side stream (CONNECT first) split at every byte position', () => {
      const golden = goldenAt(4).filter((g) => g.packet.type !== 'connect');
      const stream = Buffer.concat([encodePacket(connect(4), 4), ...golden.map(bytesOf)]);
      const expected = [connect(4), ...golden.map((g) => g.packet)];
      for (let i = 0; i <= stream.length; i++) {
        const chunks = [stream.subarray(0, i), stream.subarray(i)];
        assert.deepEqual(decodeChunks(chunks, undefined), expected, `split at ${i}`);
      }
    });
  });

  describe('server mode (no protocol level given)', () => {
    // A QoS 0 PUBLISH whose payload, read as a 5.0 property list, would not parse: 3.1.x and 5.0
    // decoding differ on it, so the decoded packet shows which level was used.
    const publish4: Packet = {
      type: 'publish',
      topic: 'a',
      payload: hex('05 ff ff ff ff ff'),
      qos: 0,
      retain: false,
      dup: false,
    };

    for (const level of [3, 4] as const) {
      it(`learns level ${level} from a ${level === 3 ? '3.1' : '3.1.1'} CONNECT and decodes the next PUBLISH at it`, () => {
        const decoder = new FrameDecoder();
        assert.equal(decoder.protocolLevel, undefined);
        assert.deepEqual(decoder.push(encodePacket(connect(level), level)), [connect(level)]);
        assert.equal(decoder.protocolLevel, level);
        assert.deepEqual(decoder.push(encodePacket(publish4, level)), [publish4]);
        // Read at 5.0, the payload's first bytes would be a property list that runs off the end.
        expectMqttError(() => decodePacket(encodePacket(publish4, level), 5), 0x81);
      });
    }

    it('learns level 5 from a 5.0 CONNECT and decodes the next PUBLISH with its properties', () => {
      const publish5: Packet = {
        type: 'publish',
        topic: 'a',
        payload: hex('00'),
        qos: 1,
        retain: false,
        dup: false,
        packetId: 9,
        properties: { userProperties: [['k', 'v']], subscriptionIdentifiers: [3] },
      };
      const decoder = new FrameDecoder();
      assert.deepEqual(decoder.push(encodePacket(connect(5), 5)), [connect(5)]);
      assert.equal(decoder.protocolLevel, 5);
      assert.deepEqual(decoder.push(encodePacket(publish5, 5)), [publish5]);
    });

    it('applies the learned level to packets later in the same chunk as the CONNECT', () => {
      const chunk = Buffer.concat([encodePacket(connect(4), 4), encodePacket(publish4, 4)]);
      assert.deepEqual(new FrameDecoder().push(chunk), [connect(4), publish4]);
    });

    it('[MQTT-3.1.0-1] rejects a first packet that is not CONNECT (0x82)', () => {
      for (const bytes of [hex('c0 00'), encodePacket(publish4, 4), hex('20 02 00 00'), hex('e0 00')]) {
        expectMqttError(() => new FrameDecoder().push(bytes), 0x82, bytes.toString('hex'));
      }
    });

    it('[MQTT-3.1.0-1] rejects a non-CONNECT first packet from its fixed header, before its body (0x82)', () => {
      const decoder = new FrameDecoder();
      expectMqttError(() => decoder.push(hex('30 ff ff 03')), 0x82);
    });
  });

  describe('limits and malformed fixed headers', () => {
    it('rejects a packet over maximumPacketSize from its first 5 bytes, before its body arrives (0x95)', () => {
      const decoder = new FrameDecoder({ protocolLevel: 5, maximumPacketSize: 1_000_000 });
      // PUBLISH with Remaining Length 268,435,455: only the fixed header is fed.
      expectMqttError(() => decoder.push(hex('30 ff ff ff 7f')), 0x95);
    });

    it('rejects an oversized packet as soon as its Remaining Length is complete, fed a byte at a time (0x95)', () => {
      const decoder = new FrameDecoder({ protocolLevel: 4, maximumPacketSize: 1000 });
      assert.deepEqual(decoder.push(hex('30')), []);
      assert.deepEqual(decoder.push(hex('e9')), []);
      // Remaining Length 1001: 1004 bytes in all.
      expectMqttError(() => decoder.push(hex('07')), 0x95);
    });

    it('rejects an oversized CONNECT in server mode before buffering it (0x95)', () => {
      expectMqttError(() => new FrameDecoder({ maximumPacketSize: 4096 }).push(hex('10 ff ff 7f')), 0x95);
    });

    it('accepts a packet of exactly maximumPacketSize bytes and rejects one byte more (0x95)', () => {
      const payload = Buffer.alloc(20, 1);
      const fits: Packet = { type: 'publish', topic: 'a', payload, qos: 0, retain: false, dup: false };
      const bytes = encodePacket(fits, 4);
      const decoder = new FrameDecoder({ protocolLevel: 4, maximumPacketSize: bytes.length });
      assert.deepEqual(decoder.push(bytes), [fits]);
      const over = encodePacket({ ...fits, payload: Buffer.alloc(21, 1) }, 4);
      expectMqttError(() => decoder.push(over), 0x95);
    });

    it('[MQTT-1.5.5-1] rejects a Remaining Length of 5 bytes (0x81)', () => {
      expectMqttError(() => new FrameDecoder({ protocolLevel: 4 }).push(hex('30 80 80 80 80 01')), 0x81);
      expectMqttError(() => new FrameDecoder({ protocolLevel: 4 }).push(hex('30 ff ff ff ff 7f')), 0x81);
    });

    it('[MQTT-1.5.5-1] rejects a 5-byte Remaining Length at its fifth byte when fed a byte at a time (0x81)', () => {
      const decoder = new FrameDecoder({ protocolLevel: 5 });
      for (const b of ['30', '80', '80', '80']) assert.deepEqual(decoder.push(hex(b)), []);
      expectMqttError(() => decoder.push(hex('80')), 0x81);
    });

    it('[MQTT-1.5.5-1] rejects a Remaining Length not in its shortest form (0x81)', () => {
      for (const bytes of ['c0 80 00', '30 80 80 00', '30 85 80 80 00', 'e0 80 00']) {
        expectMqttError(() => new FrameDecoder({ protocolLevel: 5 }).push(hex(bytes)), 0x81, bytes);
      }
    });

    it('rejects a malformed packet in the middle of a stream (0x81)', () => {
      const decoder = new FrameDecoder({ protocolLevel: 4 });
      assert.deepEqual(decoder.push(hex('c0 00')), [{ type: 'pingreq' }]);
      expectMqttError(() => decoder.push(hex('c0 01 00')), 0x81);
    });
  });

  describe('memory sharing', () => {
    const a: Packet = {
      type: 'publish',
      topic: 'a',
      payload: Buffer.from('first'),
      qos: 0,
      retain: false,
      dup: false,
    };
    const b: Packet = {
      type: 'publish',
      topic: 'b',
      payload: Buffer.from('second'),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 1,
      properties: { correlationData: Buffer.from('corr') },
    };

    function payloads(packets: readonly Packet[]): Buffer[] {
      return packets.flatMap((p) => (p.type === 'publish' ? [p.payload] : []));
    }

    it('slices payloads from the chunk when the packet was complete within it', () => {
      const chunk = encodePackets([a, b], 5);
      const out = new FrameDecoder({ protocolLevel: 5 }).push(chunk);
      assert.deepEqual(out, [a, b]);
      for (const payload of payloads(out)) assert.equal(payload.buffer, chunk.buffer);
      const second = out[1];
      assert.ok(second?.type === 'publish');
      assert.equal(second.properties?.correlationData?.buffer, chunk.buffer);
    });

    it('slices payloads from a chunk that is itself a view into a larger buffer', () => {
      const backing = Buffer.alloc(1000);
      const bytes = encodePacket(a, 4);
      bytes.copy(backing, 100);
      const chunk = backing.subarray(100, 100 + bytes.length);
      const out = new FrameDecoder({ protocolLevel: 4 }).push(chunk);
      assert.deepEqual(out, [a]);
      const [payload] = payloads(out);
      assert.equal(payload?.buffer, backing.buffer);
      assert.equal(payload?.byteOffset, chunk.byteOffset + bytes.length - a.payload.length);
    });

    it('slices payloads from the chunk for complete packets that follow a completed partial one', () => {
      const first = encodePacket(a, 4);
      const decoder = new FrameDecoder({ protocolLevel: 4 });
      assert.deepEqual(decoder.push(first.subarray(0, 3)), []);
      const rest = Buffer.concat([first.subarray(3), encodePacket(a, 4)]);
      assert.deepEqual(decoder.push(rest), [a, a]);
    });

    it('reports the bytes held for an incomplete packet', () => {
      const bytes = encodePacket(b, 5);
      const decoder = new FrameDecoder({ protocolLevel: 5 });
      assert.deepEqual(decoder.push(bytes.subarray(0, 1)), []);
      assert.equal(decoder.buffered, 1);
      assert.deepEqual(decoder.push(bytes.subarray(1, 7)), []);
      assert.equal(decoder.buffered, 7);
      assert.deepEqual(decoder.push(bytes.subarray(7)), [b]);
      assert.equal(decoder.buffered, 0);
    });
  });

  describe('encodePackets', () => {
    for (const level of LEVELS) {
      it(`is the concatenation of encodePacket at level ${level}`, () => {
        fc.assert(
          fc.property(fc.array(anyPacket(level), { maxLength: 6 }), (packets) => {
            const joined = encodePackets(packets, level);
            assert.deepEqual(joined, Buffer.concat(packets.map((p) => encodePacket(p, level))));
            assert.deepEqual(decodeChunks([joined], level), packets);
          }),
          { numRuns: 200 },
        );
      });
    }

    it('gives an empty buffer for no packets', () => {
      assert.equal(encodePackets([], 5).length, 0);
    });

    it('encodes a batch of thousands of packets, and a smaller mixed batch after it', () => {
      const many = Array.from({ length: 5000 }, (_, i) => ({
        type: 'puback' as const,
        packetId: i + 1,
        reasonCode: i % 2 === 0 ? 0 : 0x10,
      }));
      const big = encodePackets(many, 5);
      assert.deepEqual(big, Buffer.concat(many.map((p) => encodePacket(p, 5))));
      // The reused measures of the big batch must not leak into the next one.
      const mixed: Packet[] = [
        {
          type: 'publish',
          topic: 't',
          payload: Buffer.from('x'),
          qos: 1,
          retain: false,
          dup: false,
          packetId: 9,
          properties: { userProperties: [['k', 'v']] },
        },
        {
          type: 'connect',
          protocolName: 'MQTT',
          protocolLevel: 5,
          clientId: 'c',
          cleanStart: true,
          keepAlive: 30,
          will: {
            topic: 'w',
            payload: Buffer.from('gone'),
            qos: 1,
            retain: false,
            properties: { willDelayInterval: 5 },
          },
        },
        { type: 'puback', packetId: 3, reasonCode: 0x10 },
      ];
      assert.deepEqual(encodePackets(mixed, 5), Buffer.concat(mixed.map((p) => encodePacket(p, 5))));
    });
  });
});
