import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Packet as MqttPacket } from 'mqtt-packet';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket, packetLength } from '../../src/protocol/encode';
import { FrameDecoder } from '../../src/protocol/frame-decoder';
import type { Packet, ProtocolLevel, UserProperty } from '../../src/protocol/types';
import { LEVELS, packetOf, packetTypesAt } from '../support/arbitraries';
import { expectMqttError } from '../support/expect';
import {
  fromMqttPacket,
  generateWithMqttPacket,
  groupUserProperties,
  mapUserProperties,
  parseWithMqttPacket,
  toMqttPacket,
} from '../support/mqtt-packet-map';

/**
 * Property-based round trips with mqtt-packet as an independent oracle, for every packet type at
 * every level where it exists:
 * - our encode, then decode, is the identity;
 * - our encoding, parsed by mqtt-packet and mapped back, is the packet we encoded;
 * - mqtt-packet's encoding of the same packet, decoded by us, is that packet.
 * Where mqtt-packet is lossy or lax, the packets of that direction are restricted or normalised
 * below, each with the rule it breaks; the codec's stricter behaviour is kept and tested at the end.
 */

const IDENTITY_RUNS = 600;
const ORACLE_RUNS = 300;

/**
 * mqtt-packet's user property object orders names as a JS object does, not as sent, so both oracle
 * directions expect that order. The order is ours to keep: spec 3.3.2.3.7, [MQTT-3.3.2-18]
 * (forwarded user properties keep their order), checked by the identity round trip.
 */
function expectedFromOracle(p: Packet): Packet {
  return mapUserProperties(p, groupUserProperties);
}

/**
 * mqtt-packet's parser collects a repeated user property name with `if (result[name])`, so a first
 * value of '' is overwritten by the next value of the same name and lost. The same name may appear
 * more than once with any value (spec 3.1.2.11.8 and each User Property section), so the parse
 * direction avoids an empty value that a later pair of the same name follows.
 */
function noEmptyValueBeforeSameName(list: UserProperty[]): UserProperty[] {
  return list.map(([name, value], i): UserProperty => {
    const repeated = list.slice(i + 1).some(([later]) => later === name);
    return [name, value === '' && repeated ? 'e' : value];
  });
}

/** Restrictions for packets that mqtt-packet's parser is to read (direction a). */
function forMqttPacketParser(p: Packet): Packet {
  const out = mapUserProperties(p, noEmptyValueBeforeSameName);
  // Spec 3.15.2.1: an AUTH with reason code 0 and no properties may have Remaining Length 0, and we
  // send that shortest form; mqtt-packet's parser reads a reason code regardless and fails on it
  // ("Invalid auth reason code"). Give such AUTH a property so both sides have a body to read.
  if (out.type === 'auth' && out.reasonCode === 0 && out.properties === undefined) {
    return { ...out, properties: { reasonString: '' } };
  }
  return out;
}

/** Restrictions for packets that mqtt-packet's writer is to encode (direction b). */
function forMqttPacketWriter(p: Packet, level: ProtocolLevel): Packet {
  if (p.type !== 'connect') return p;
  const out = { ...p };
  // MQTT 3.1 (level 3) requires a client id of 1 to 23 characters, and mqtt-packet refuses an empty
  // one. The codec leaves that check to the broker, which answers with return code 2.
  if (level === 3 && out.clientId === '') out.clientId = 'c';
  // mqtt-packet refuses an empty client id with Clean Start 0 at every level. That is a 3.1.1
  // client rule ([MQTT-3.1.3-7] in 3.1.1); 5.0 has no such rule (spec 3.1.3.1, [MQTT-3.1.3-6]).
  if (out.clientId === '' && !out.cleanStart) out.cleanStart = true;
  // mqtt-packet refuses a password without a user name at every level. That is 3.1.1's
  // [MQTT-3.1.2-22]; 5.0 allows it (spec 3.1.2.9).
  if (out.password !== undefined && out.username === undefined) out.username = '';
  return out;
}

function roundTrip(p: Packet, level: ProtocolLevel): void {
  const bytes = encodePacket(p, level);
  assert.equal(packetLength(p, level), bytes.length, 'packetLength is the encoded length');
  assert.deepEqual(decodePacket(bytes, level), p);
}

function throughMqttPacketParser(p: Packet, level: ProtocolLevel): void {
  const packet = forMqttPacketParser(p);
  const bytes = encodePacket(packet, level);
  const parsed = parseWithMqttPacket(bytes, level);
  assert.deepEqual(fromMqttPacket(parsed, level), expectedFromOracle(packet));
}

function fromMqttPacketWriter(p: Packet, level: ProtocolLevel): void {
  const packet = forMqttPacketWriter(p, level);
  const bytes = generateWithMqttPacket(toMqttPacket(packet, level), level);
  assert.deepEqual(decodePacket(bytes, level), expectedFromOracle(packet));
}

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

describe('codec round trips with mqtt-packet as oracle', () => {
  for (const level of LEVELS) {
    for (const type of packetTypesAt(level)) {
      describe(`${type.toUpperCase()} at level ${level}`, () => {
        const arb = packetOf(type, level);

        it('decodes its own encoding to the same packet', () => {
          fc.assert(
            fc.property(arb, (p) => roundTrip(p, level)),
            { numRuns: IDENTITY_RUNS },
          );
        });

        it('encodes bytes that mqtt-packet parses to the same packet', () => {
          fc.assert(
            fc.property(arb, (p) => throughMqttPacketParser(p, level)),
            { numRuns: ORACLE_RUNS },
          );
        });

        it('decodes the bytes mqtt-packet generates for the same packet', () => {
          fc.assert(
            fc.property(arb, (p) => fromMqttPacketWriter(p, level)),
            { numRuns: ORACLE_RUNS },
          );
        });
      });
    }
  }

  describe('where mqtt-packet is lax, the codec stays strict', () => {
    /** mqtt-packet accepts `bytes` at `level`; the codec rejects them with `code`. */
    function laxCase(bytes: Buffer, level: ProtocolLevel, code: number): void {
      assert.doesNotThrow(() => parseWithMqttPacket(bytes, level), 'mqtt-packet parses it');
      expectMqttError(() => decodePacket(bytes, level), code);
    }

    function generated(packet: MqttPacket, level: ProtocolLevel): Buffer {
      return generateWithMqttPacket(packet, level);
    }

    const publish = { cmd: 'publish', payload: Buffer.alloc(0), retain: false } as const;

    it('[MQTT-3.3.1-2] rejects a QoS 0 PUBLISH with DUP set, which mqtt-packet writes and reads (0x81)', () => {
      const bytes = generated({ ...publish, topic: 'a', qos: 0, dup: true }, 4);
      assert.equal(bytes[0], 0x38);
      laxCase(bytes, 4, 0x81);
    });

    it('[MQTT-3.3.2-2] rejects a wildcard in a PUBLISH topic, which mqtt-packet writes and reads (0x90)', () => {
      laxCase(generated({ ...publish, topic: 'a/#', qos: 0, dup: false }, 4), 4, 0x90);
      laxCase(generated({ ...publish, topic: '+', qos: 0, dup: false }, 5), 5, 0x90);
    });

    it('[MQTT-2.2.1-3] rejects packet id 0 on a QoS 1 PUBLISH, which mqtt-packet writes and reads (0x81)', () => {
      laxCase(generated({ ...publish, topic: 'a', qos: 1, dup: false, messageId: 0 }, 4), 4, 0x81);
    });

    it('[MQTT-1.5.4-1] rejects an encoded surrogate in a topic, which mqtt-packet reads as U+FFFD (0x81)', () => {
      const bytes = hex('30 05 0003 eda080');
      assert.deepEqual(fromMqttPacket(parseWithMqttPacket(bytes, 4), 4), {
        type: 'publish',
        topic: '\ufffd\ufffd\ufffd',
        payload: Buffer.alloc(0),
        qos: 0,
        retain: false,
        dup: false,
      });
      laxCase(bytes, 4, 0x81);
    });

    it('[MQTT-1.5.4-2] rejects U+0000 in a topic, which mqtt-packet writes and reads (0x81)', () => {
      laxCase(generated({ ...publish, topic: 'a\u0000b', qos: 0, dup: false }, 4), 4, 0x81);
    });

    it('[MQTT-1.5.5-1] rejects a Remaining Length not in its shortest form, which mqtt-packet reads (0x81)', () => {
      laxCase(hex('c0 80 00'), 4, 0x81);
    });

    it('[MQTT-3.3.2-8] rejects Topic Alias 0, which mqtt-packet writes and reads (0x94)', () => {
      const bytes = generated(
        { ...publish, topic: 'a', qos: 0, dup: false, properties: { topicAlias: 0 } },
        5,
      );
      laxCase(bytes, 5, 0x94);
    });

    it('rejects Subscription Identifier 0, which mqtt-packet writes and reads (spec 3.8.2.1.2, 0x82)', () => {
      const bytes = generated(
        {
          cmd: 'subscribe',
          messageId: 1,
          subscriptions: [{ topic: 'a', qos: 0 }],
          properties: { subscriptionIdentifier: 0 },
        },
        5,
      );
      laxCase(bytes, 5, 0x82);
    });

    it('rejects Receive Maximum 0, which mqtt-packet writes and reads (spec 3.1.2.11.3, 0x82)', () => {
      const bytes = generated(
        { cmd: 'connect', clientId: 'c', protocolVersion: 5, properties: { receiveMaximum: 0 } },
        5,
      );
      laxCase(bytes, 5, 0x82);
    });

    it('rejects a 0/1 property with value 2, which mqtt-packet reads as true (spec 3.3.2.3.2, 0x82)', () => {
      // PUBLISH 'a' with Payload Format Indicator = 2.
      const bytes = hex('30 06 0001 61 02 0102');
      assert.deepEqual(fields(parseWithMqttPacket(bytes, 5), 'properties'), { payloadFormatIndicator: true });
      laxCase(bytes, 5, 0x82);
    });

    it('rejects a property the packet does not allow, which mqtt-packet reads anywhere (spec 2.2.2.2, 0x82)', () => {
      // PUBLISH 'a' with Session Expiry Interval (CONNECT, CONNACK and DISCONNECT only).
      laxCase(hex('30 09 0001 61 05 11 0000000a'), 5, 0x82);
      // PUBACK with Topic Alias (PUBLISH only).
      laxCase(hex('40 07 0001 00 03 230001'), 5, 0x82);
    });

    it('rejects a single-valued property given twice, which mqtt-packet reads as an array (spec 3.3.2.3.3, 0x82)', () => {
      // PUBLISH 'a' with Message Expiry Interval 1 and 2.
      const bytes = hex('30 0e 0001 61 0a 02 00000001 02 00000002');
      assert.deepEqual(fields(parseWithMqttPacket(bytes, 5), 'properties'), {
        messageExpiryInterval: [1, 2],
      });
      laxCase(bytes, 5, 0x82);
    });

    it('[MQTT-3.8.3-4] rejects No Local on a shared subscription, which mqtt-packet writes and reads (0x82)', () => {
      const bytes = generated(
        { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/g/a', qos: 0, nl: true }] },
        5,
      );
      laxCase(bytes, 5, 0x82);
    });

    it('[MQTT-3.2.2-8] rejects a CONNACK reason code that is not one, which mqtt-packet reads (0x82)', () => {
      laxCase(generated({ cmd: 'connack', sessionPresent: false, reasonCode: 0x10 }, 5), 5, 0x82);
    });

    it('[MQTT-3.2.2-6] rejects Session Present on a refused CONNACK, which mqtt-packet writes and reads (0x82)', () => {
      laxCase(generated({ cmd: 'connack', sessionPresent: true, reasonCode: 0x87 }, 5), 5, 0x82);
      laxCase(generated({ cmd: 'connack', sessionPresent: true, returnCode: 5 }, 4), 4, 0x82);
    });

    it('rejects an empty PUBLISH topic with no Topic Alias, which mqtt-packet writes and reads (spec 3.3.2.3.4, 0x82)', () => {
      laxCase(generated({ ...publish, topic: '', qos: 0, dup: false }, 5), 5, 0x82);
    });

    it('[MQTT-3.1.2-22] (3.1.1) rejects a password without a user name, which mqtt-packet reads (0x81)', () => {
      // CONNECT 3.1.1, flags 0x42 (password, clean session), client id '', password ''.
      laxCase(hex('10 0e 0004 4d515454 04 42 003c 0000 0000'), 4, 0x81);
    });

    it('[MQTT-4.7.0-1] rejects a wildcard in the will topic, which mqtt-packet writes and reads (0x90)', () => {
      const bytes = generated(
        {
          cmd: 'connect',
          clientId: 'c',
          protocolVersion: 4,
          will: { topic: 'a/+', payload: Buffer.alloc(0) },
        },
        4,
      );
      laxCase(bytes, 4, 0x90);
    });
  });

  describe('where mqtt-packet is wrong or too strict, the codec follows the spec', () => {
    it('sends and reads an empty-body AUTH (Success, no properties), which mqtt-packet cannot parse (spec 3.15.2.1)', () => {
      const bytes = encodePacket({ type: 'auth', reasonCode: 0 }, 5);
      assert.equal(bytes.toString('hex'), 'f000');
      assert.deepEqual(decodePacket(bytes, 5), { type: 'auth', reasonCode: 0 });
      assert.throws(() => parseWithMqttPacket(bytes, 5), /Invalid auth reason code/);
    });

    it('keeps a short 5.0 DISCONNECT apart from the next packet, which mqtt-packet reads into (spec 3.14.2.1)', () => {
      // DISCONNECT with an empty body, then PINGREQ; DISCONNECT 0x8E with no Property Length, then PINGREQ.
      // mqtt-packet reads past the DISCONNECT's Remaining Length into the PINGREQ's bytes.
      assert.throws(() => parseWithMqttPacket(hex('e000 c000'), 5), /Invalid disconnect reason code/);
      assert.throws(() => parseWithMqttPacket(hex('e001 8e c000'), 5), /Cannot parse property code type/);
      const decoder = new FrameDecoder({ protocolLevel: 5 });
      assert.deepEqual(decoder.push(hex('e000 c000 e001 8e c000')), [
        { type: 'disconnect', reasonCode: 0 },
        { type: 'pingreq' },
        { type: 'disconnect', reasonCode: 0x8e },
        { type: 'pingreq' },
      ]);
    });

    it('keeps user property order and an empty first value, which mqtt-packet loses ([MQTT-3.3.2-18])', () => {
      const packet: Packet = {
        type: 'publish',
        topic: 'a',
        payload: Buffer.alloc(0),
        qos: 0,
        retain: false,
        dup: false,
        properties: {
          userProperties: [
            ['k', ''],
            ['k', 'x'],
            ['2', 'y'],
            ['1', 'z'],
          ],
        },
      };
      roundTrip(packet, 5);
      // mqtt-packet's object puts integer-like names first and drops the '' that 'x' overwrote.
      assert.deepEqual(fromMqttPacket(parseWithMqttPacket(encodePacket(packet, 5), 5), 5), {
        ...packet,
        properties: {
          userProperties: [
            ['1', 'z'],
            ['2', 'y'],
            ['k', 'x'],
          ],
        },
      });
    });

    it('encodes a 5.0 CONNECT with a password and no user name (spec 3.1.2.9), which mqtt-packet refuses to write', () => {
      const packet: Packet = {
        type: 'connect',
        protocolName: 'MQTT',
        protocolLevel: 5,
        clientId: 'c',
        cleanStart: true,
        keepAlive: 0,
        password: Buffer.from('pw'),
      };
      roundTrip(packet, 5);
      assert.throws(() => generateWithMqttPacket(toMqttPacket(packet, 5), 5), /Username is required/);
      assert.deepEqual(fromMqttPacket(parseWithMqttPacket(encodePacket(packet, 5), 5), 5), packet);
    });

    it('encodes a 5.0 CONNECT with an empty client id and Clean Start 0 (spec 3.1.3.1), which mqtt-packet refuses', () => {
      const packet: Packet = {
        type: 'connect',
        protocolName: 'MQTT',
        protocolLevel: 5,
        clientId: '',
        cleanStart: false,
        keepAlive: 10,
      };
      roundTrip(packet, 5);
      assert.throws(() => generateWithMqttPacket(toMqttPacket(packet, 5), 5), /clientId must be given/);
    });
  });
});

/** A copy of one field of mqtt-packet's untyped output (its property objects have a null prototype). */
function fields(raw: unknown, key: string): unknown {
  if (typeof raw !== 'object' || raw === null || !(key in raw)) return undefined;
  const value: unknown = Reflect.get(raw, key);
  return typeof value === 'object' && value !== null ? { ...value } : value;
}
