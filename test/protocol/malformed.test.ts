import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { MqttError } from '../../src/protocol/errors';
import { FrameDecoder } from '../../src/protocol/frame-decoder';
import type { Packet, ProtocolLevel } from '../../src/protocol/types';
import { anyPacket, LEVELS } from '../support/arbitraries';
import { expectMqttError } from '../support/expect';
import { connectBody, frame, hex, props, raw, str, u16, u32 } from '../support/wire';

/**
 * The malformed corpus: one case per rule, named by its spec id, as raw bytes. Each asserts an
 * `MqttError` with the exact reason code, from `decodePacket` and from a `FrameDecoder` at the same
 * level (a truncated packet only from `decodePacket`: a stream simply waits for the rest). Where a
 * case is a valid packet with one thing changed, that valid twin is checked to decode.
 *
 * Ids are MQTT 5.0's unless marked "3.1.1"; where a rule has no id, the spec section is given.
 */

const MALFORMED = 0x81;
const PROTOCOL_ERROR = 0x82;
const UNSUPPORTED_VERSION = 0x84;
const TOPIC_NAME_INVALID = 0x90;
const TOPIC_ALIAS_INVALID = 0x94;

interface Options {
  /** A valid packet that differs from the case only in the rule broken; it must decode. */
  twin?: Buffer;
  /** False for packets cut short: a stream decoder waits for more instead of failing. */
  stream?: boolean;
}

function codeName(code: number): string {
  return `0x${code.toString(16)}`;
}

/** Registers a test that `bytes` at `level` are rejected with `code`. */
function rejects(
  title: string,
  level: ProtocolLevel,
  bytes: Buffer,
  code: number,
  options: Options = {},
): void {
  it(`${title} (${codeName(code)})`, () => {
    if (options.twin !== undefined) {
      assert.doesNotThrow(
        () => decodePacket(options.twin ?? Buffer.alloc(0), level),
        'the valid twin decodes',
      );
    }
    expectMqttError(() => decodePacket(bytes, level), code, 'decodePacket:');
    if (options.stream !== false) {
      expectMqttError(() => new FrameDecoder({ protocolLevel: level }).push(bytes), code, 'FrameDecoder:');
    }
  });
}

// Building blocks: a topic 'a', a packet id 1, an empty 5.0 property list.
const TOPIC = str('a');
const ID = u16(1);
const NO_PROPS = props();

/** A 5.0 PUBLISH QoS 0 to 'a' with these properties. */
function publish5(...properties: string[]): Buffer {
  return frame(0x30, TOPIC, props(...properties));
}

/** A 5.0 CONNECT with these properties. */
function connect5(...properties: string[]): Buffer {
  return frame(0x10, connectBody({ level: 5, properties: props(...properties) }));
}

/** A 5.0 CONNECT with a will (QoS 0) that has these will properties. */
function connectWill5(...willProperties: string[]): Buffer {
  return frame(
    0x10,
    connectBody({ level: 5, flags: 0x06, payload: str('c') + props(...willProperties) + str('w') + raw('') }),
  );
}

const USER_PROPERTY = `26${str('k')}${str('v')}`;

describe('malformed packets', () => {
  describe('fixed header', () => {
    // One valid 5.0 body per packet type, and the flags the type requires.
    const bodies: [name: string, type: number, flags: number, body: string][] = [
      ['CONNECT', 1, 0, connectBody({ level: 5 })],
      ['CONNACK', 2, 0, `00 00 ${NO_PROPS}`],
      ['PUBACK', 4, 0, ID],
      ['PUBREC', 5, 0, ID],
      ['PUBREL', 6, 2, ID],
      ['PUBCOMP', 7, 0, ID],
      ['SUBSCRIBE', 8, 2, `${ID}${NO_PROPS}${TOPIC}00`],
      ['SUBACK', 9, 0, `${ID}${NO_PROPS}00`],
      ['UNSUBSCRIBE', 10, 2, `${ID}${NO_PROPS}${TOPIC}`],
      ['UNSUBACK', 11, 0, `${ID}${NO_PROPS}00`],
      ['PINGREQ', 12, 0, ''],
      ['PINGRESP', 13, 0, ''],
      ['DISCONNECT', 14, 0, ''],
      ['AUTH', 15, 0, ''],
    ];
    for (const [name, type, flags, body] of bodies) {
      for (const bad of [flags ^ 0x1, flags ^ 0x2, flags ^ 0x8]) {
        rejects(
          `[MQTT-2.1.3-1] rejects ${name} with fixed header flags ${bad.toString(2).padStart(4, '0')}`,
          5,
          frame((type << 4) | bad, body),
          MALFORMED,
          { twin: frame((type << 4) | flags, body) },
        );
      }
    }

    rejects('[MQTT-2.1.3-1] rejects 3.1.1 PUBREL with flags 0000', 4, frame(0x60, ID), MALFORMED, {
      twin: frame(0x62, ID),
    });
    rejects('rejects the reserved packet type 0 (spec 2.1.2)', 5, hex('00 00'), MALFORMED);
    rejects('rejects the reserved packet type 0 at 3.1.1 (spec 2.1.2)', 4, hex('00 00'), MALFORMED);
    rejects(
      'rejects AUTH at level 4, where type 15 is reserved (3.1.1 spec 2.2.1)',
      4,
      hex('f0 00'),
      MALFORMED,
    );
    rejects('rejects AUTH at level 3, where type 15 is reserved', 3, frame(0xf0, `18${props()}`), MALFORMED);
    rejects(
      '[MQTT-1.5.5-1] rejects a Remaining Length longer than 4 bytes',
      5,
      hex('30 80 80 80 80 01'),
      MALFORMED,
    );
    rejects(
      '[MQTT-1.5.5-1] rejects a 5-byte Remaining Length of all ones',
      4,
      hex('30 ff ff ff ff 7f'),
      MALFORMED,
    );
    rejects(
      '[MQTT-1.5.5-1] rejects a Remaining Length not in its shortest form',
      4,
      hex('40 82 00 0001'),
      MALFORMED,
      {
        twin: hex('40 02 0001'),
      },
    );
    rejects('[MQTT-1.5.5-1] rejects a zero Remaining Length in two bytes', 4, hex('c0 80 00'), MALFORMED, {
      twin: hex('c0 00'),
    });
  });

  describe('PUBLISH', () => {
    rejects('[MQTT-3.3.1-4] rejects PUBLISH with QoS 3', 4, frame(0x36, TOPIC, ID), MALFORMED, {
      twin: frame(0x34, TOPIC, ID),
    });
    rejects('[MQTT-3.3.1-4] rejects 5.0 PUBLISH with QoS 3', 5, frame(0x37, TOPIC, ID, NO_PROPS), MALFORMED);
    rejects('[MQTT-3.3.1-2] rejects PUBLISH QoS 0 with DUP set', 4, frame(0x38, TOPIC), MALFORMED, {
      twin: frame(0x30, TOPIC),
    });
    rejects(
      '[MQTT-3.3.1-2] rejects 5.0 PUBLISH QoS 0 with DUP and RETAIN set',
      5,
      frame(0x39, TOPIC, NO_PROPS),
      MALFORMED,
    );
    rejects(
      '[MQTT-2.2.1-3] rejects PUBLISH QoS 1 with packet id 0',
      4,
      frame(0x32, TOPIC, u16(0)),
      MALFORMED,
      {
        twin: frame(0x32, TOPIC, ID),
      },
    );
    rejects(
      '[MQTT-2.2.1-3] rejects 5.0 PUBLISH QoS 2 with packet id 0',
      5,
      frame(0x34, TOPIC, u16(0), NO_PROPS),
      MALFORMED,
    );
    rejects('[MQTT-3.3.2-2] rejects a PUBLISH topic with #', 4, frame(0x30, str('a/#')), TOPIC_NAME_INVALID, {
      twin: frame(0x30, str('a/b')),
    });
    rejects('[MQTT-3.3.2-2] rejects a PUBLISH topic with +', 4, frame(0x30, str('+/b')), TOPIC_NAME_INVALID);
    rejects(
      '[MQTT-3.3.2-2] rejects a 5.0 PUBLISH topic with + inside a level',
      5,
      frame(0x30, str('a+b'), NO_PROPS),
      TOPIC_NAME_INVALID,
    );
    rejects('[MQTT-4.7.3-1] rejects an empty 3.1.1 PUBLISH topic', 4, frame(0x30, str('')), MALFORMED);
    rejects(
      '[MQTT-3.3.2-1] rejects an empty 5.0 PUBLISH topic with no Topic Alias (spec 3.3.2.3.4)',
      5,
      frame(0x30, str(''), NO_PROPS),
      PROTOCOL_ERROR,
      { twin: frame(0x30, str(''), props(`23${u16(1)}`)) },
    );
    rejects('[MQTT-3.3.2-8] rejects Topic Alias 0', 5, publish5(`23${u16(0)}`), TOPIC_ALIAS_INVALID, {
      twin: publish5(`23${u16(1)}`),
    });
    rejects(
      '[MQTT-2.2.1-3] rejects a QoS 1 PUBLISH cut before its packet id',
      4,
      frame(0x32, TOPIC),
      MALFORMED,
    );
  });

  describe('UTF-8 strings', () => {
    const illFormed: [string, string][] = [
      ['an encoded surrogate (ED A0 80)', 'ed a0 80'],
      ['an encoded low surrogate (ED BF BF)', 'ed bf bf'],
      ['an overlong "/" (C0 AF)', 'c0 af'],
      ['an overlong 3-byte form (E0 80 AF)', 'e0 80 af'],
      ['an overlong U+0000 (C0 80)', 'c0 80'],
      ['a code point above U+10FFFF (F4 90 80 80)', 'f4 90 80 80'],
      ['a truncated sequence (E2 82)', 'e2 82'],
      ['a lone continuation byte (80)', '80'],
      ['0xFF', '61 ff'],
      ['ill-formed bytes after 12 ASCII bytes', '616161616161616161616161 ed a0 80'],
    ];
    for (const [what, bytes] of illFormed) {
      rejects(`[MQTT-1.5.4-1] rejects ${what} in a PUBLISH topic`, 4, frame(0x30, raw(bytes)), MALFORMED, {
        twin: frame(0x30, str('\u00e9')),
      });
    }
    rejects(
      '[MQTT-1.5.4-1] rejects an encoded surrogate in a client id',
      4,
      frame(0x10, connectBody({ payload: raw('eda080') })),
      MALFORMED,
      {
        twin: frame(0x10, connectBody({ payload: str('\u{1f600}') })),
      },
    );
    rejects(
      '[MQTT-1.5.4-1] rejects an overlong form in a 5.0 user name',
      5,
      frame(0x10, connectBody({ level: 5, flags: 0x82, payload: str('c') + raw('c0af') })),
      MALFORMED,
      {
        twin: frame(0x10, connectBody({ level: 5, flags: 0x82, payload: str('c') + str('u') })),
      },
    );
    rejects(
      '[MQTT-1.5.4-1] rejects an encoded surrogate in a SUBSCRIBE topic filter',
      4,
      frame(0x82, ID, raw('eda080'), '00'),
      MALFORMED,
    );
    rejects(
      '[MQTT-1.5.4-1] rejects an encoded surrogate in a will topic',
      4,
      frame(0x10, connectBody({ flags: 0x06, payload: str('c') + raw('eda080') + raw('') })),
      MALFORMED,
    );
    rejects('[MQTT-1.5.4-2] rejects U+0000 in a PUBLISH topic', 4, frame(0x30, raw('61 00 62')), MALFORMED, {
      twin: frame(0x30, raw('61 01 62')),
    });
    rejects(
      '[MQTT-1.5.4-2] rejects U+0000 after 12 ASCII bytes of a topic',
      4,
      frame(0x30, raw('616161616161616161616161 00')),
      MALFORMED,
    );
    rejects(
      '[MQTT-1.5.4-2] rejects U+0000 after a non-ASCII character',
      4,
      frame(0x30, raw('c3a9 00')),
      MALFORMED,
    );
    rejects(
      '[MQTT-1.5.4-2] rejects U+0000 in a client id',
      4,
      frame(0x10, connectBody({ payload: raw('00') })),
      MALFORMED,
    );
    rejects(
      '[MQTT-1.5.4-2] rejects U+0000 in an UNSUBSCRIBE topic filter',
      5,
      frame(0xa2, ID, NO_PROPS, raw('2300')),
      MALFORMED,
    );
    rejects(
      '[MQTT-1.5.7-1] rejects U+0000 in a user property value',
      5,
      publish5(`26${str('k')}${raw('00')}`),
      MALFORMED,
      {
        twin: publish5(USER_PROPERTY),
      },
    );
    rejects(
      '[MQTT-1.5.7-1] rejects an encoded surrogate in a user property name',
      5,
      publish5(`26${raw('eda080')}${str('v')}`),
      MALFORMED,
    );
    rejects(
      '[MQTT-1.5.4-1] rejects ill-formed UTF-8 in a reason string',
      5,
      frame(0x40, ID, '00', props(`1f${raw('ff')}`)),
      MALFORMED,
      {
        twin: frame(0x40, ID, '00', props(`1f${str('ok')}`)),
      },
    );
    rejects(
      '[MQTT-1.5.4-1] rejects a string running past the end of the packet',
      4,
      frame(0x30, u16(5), '6161'),
      MALFORMED,
    );
  });

  describe('packet identifiers', () => {
    const zero = u16(0);
    rejects(
      '[MQTT-2.2.1-3] rejects SUBSCRIBE with packet id 0',
      4,
      frame(0x82, zero, TOPIC, '00'),
      MALFORMED,
      {
        twin: frame(0x82, ID, TOPIC, '00'),
      },
    );
    rejects(
      '[MQTT-2.2.1-3] rejects 5.0 SUBSCRIBE with packet id 0',
      5,
      frame(0x82, zero, NO_PROPS, TOPIC, '00'),
      MALFORMED,
    );
    rejects('[MQTT-2.2.1-3] rejects UNSUBSCRIBE with packet id 0', 4, frame(0xa2, zero, TOPIC), MALFORMED, {
      twin: frame(0xa2, ID, TOPIC),
    });
    rejects(
      '[MQTT-2.2.1-3] rejects 5.0 UNSUBSCRIBE with packet id 0',
      5,
      frame(0xa2, zero, NO_PROPS, TOPIC),
      MALFORMED,
    );
    rejects('[MQTT-2.2.1-3] rejects PUBACK with packet id 0', 4, frame(0x40, zero), MALFORMED, {
      twin: frame(0x40, ID),
    });
    rejects('[MQTT-2.2.1-3] rejects 5.0 PUBREC with packet id 0', 5, frame(0x50, zero), MALFORMED);
    rejects('[MQTT-2.2.1-3] rejects PUBREL with packet id 0', 4, frame(0x62, zero), MALFORMED);
    rejects('[MQTT-2.2.1-3] rejects PUBCOMP with packet id 0', 4, frame(0x70, zero), MALFORMED);
    rejects('[MQTT-2.2.1-3] rejects SUBACK with packet id 0', 4, frame(0x90, zero, '00'), MALFORMED);
    rejects('[MQTT-2.2.1-3] rejects UNSUBACK with packet id 0', 4, frame(0xb0, zero), MALFORMED);
  });

  describe('SUBSCRIBE and UNSUBSCRIBE', () => {
    rejects(
      '[MQTT-3.8.3-2] rejects 5.0 SUBSCRIBE with no topic filter',
      5,
      frame(0x82, ID, NO_PROPS),
      PROTOCOL_ERROR,
      {
        twin: frame(0x82, ID, NO_PROPS, TOPIC, '00'),
      },
    );
    rejects('[MQTT-3.8.3-3] (3.1.1) rejects SUBSCRIBE with no topic filter', 4, frame(0x82, ID), MALFORMED);
    rejects(
      '[MQTT-3.10.3-2] rejects 5.0 UNSUBSCRIBE with no topic filter',
      5,
      frame(0xa2, ID, NO_PROPS),
      PROTOCOL_ERROR,
      {
        twin: frame(0xa2, ID, NO_PROPS, TOPIC),
      },
    );
    rejects(
      '[MQTT-3.10.3-2] (3.1.1) rejects UNSUBSCRIBE with no topic filter',
      4,
      frame(0xa2, ID),
      MALFORMED,
    );
    rejects(
      '[MQTT-3.8.3-5] rejects SUBSCRIBE option bit 6 set',
      5,
      frame(0x82, ID, NO_PROPS, TOPIC, '40'),
      MALFORMED,
      {
        twin: frame(0x82, ID, NO_PROPS, TOPIC, '2e'),
      },
    );
    rejects(
      '[MQTT-3.8.3-5] rejects SUBSCRIBE option bit 7 set',
      5,
      frame(0x82, ID, NO_PROPS, TOPIC, '80'),
      MALFORMED,
    );
    rejects(
      '[MQTT-3-8.3-4] (3.1.1) rejects SUBSCRIBE with option bits 2-7 set',
      4,
      frame(0x82, ID, TOPIC, '04'),
      MALFORMED,
      {
        twin: frame(0x82, ID, TOPIC, '02'),
      },
    );
    rejects(
      '[MQTT-3-8.3-4] (3.1.1) rejects SUBSCRIBE with QoS 3',
      4,
      frame(0x82, ID, TOPIC, '03'),
      MALFORMED,
    );
    rejects(
      'rejects 5.0 SUBSCRIBE with Maximum QoS 3 (spec 3.8.3.1)',
      5,
      frame(0x82, ID, NO_PROPS, TOPIC, '03'),
      PROTOCOL_ERROR,
    );
    rejects(
      'rejects 5.0 SUBSCRIBE with Retain Handling 3 (spec 3.8.3.1)',
      5,
      frame(0x82, ID, NO_PROPS, TOPIC, '30'),
      PROTOCOL_ERROR,
      {
        twin: frame(0x82, ID, NO_PROPS, TOPIC, '20'),
      },
    );
    rejects(
      '[MQTT-3.8.3-4] rejects No Local on a shared subscription',
      5,
      frame(0x82, ID, NO_PROPS, str('$share/g/a'), '04'),
      PROTOCOL_ERROR,
      {
        twin: frame(0x82, ID, NO_PROPS, str('$share/g/a'), '00'),
      },
    );
    rejects('rejects a subscription cut before its options byte', 4, frame(0x82, ID, TOPIC), MALFORMED);
    rejects(
      '[MQTT-3.8.4-6] rejects 5.0 SUBACK with no reason code',
      5,
      frame(0x90, ID, NO_PROPS),
      PROTOCOL_ERROR,
    );
    rejects('[MQTT-3.8.4-5] (3.1.1) rejects SUBACK with no return code', 4, frame(0x90, ID), MALFORMED);
    rejects(
      '[MQTT-3.9.3-2] (3.1.1) rejects a reserved SUBACK return code 0x03',
      4,
      frame(0x90, ID, '03'),
      MALFORMED,
      {
        twin: frame(0x90, ID, '80'),
      },
    );
    rejects(
      'rejects 5.0 UNSUBACK with no reason code (spec 3.11.3)',
      5,
      frame(0xb0, ID, NO_PROPS),
      PROTOCOL_ERROR,
      {
        twin: frame(0xb0, ID, NO_PROPS, '11'),
      },
    );
  });

  describe('CONNECT', () => {
    const willPayload = (level: 4 | 5) => str('c') + (level === 5 ? NO_PROPS : '') + str('w') + raw('');
    rejects(
      '[MQTT-3.1.2-3] rejects the reserved connect flag set',
      4,
      frame(0x10, connectBody({ flags: 0x03 })),
      MALFORMED,
      {
        twin: frame(0x10, connectBody({ flags: 0x02 })),
      },
    );
    rejects(
      '[MQTT-3.1.2-3] rejects the reserved connect flag set in 5.0',
      5,
      frame(0x10, connectBody({ level: 5, flags: 0x01 })),
      MALFORMED,
    );
    rejects(
      '[MQTT-3.1.2-11] rejects Will QoS 1 without the will flag',
      5,
      frame(0x10, connectBody({ level: 5, flags: 0x0a })),
      MALFORMED,
    );
    rejects(
      '[MQTT-3.1.2-13] rejects Will Retain without the will flag',
      5,
      frame(0x10, connectBody({ level: 5, flags: 0x22 })),
      MALFORMED,
    );
    rejects(
      '[MQTT-3.1.2-13] (3.1.1) rejects Will QoS 2 without the will flag',
      4,
      frame(0x10, connectBody({ flags: 0x12 })),
      MALFORMED,
    );
    rejects(
      '[MQTT-3.1.2-15] (3.1.1) rejects Will Retain without the will flag',
      4,
      frame(0x10, connectBody({ flags: 0x22 })),
      MALFORMED,
    );
    rejects(
      '[MQTT-3.1.2-12] rejects Will QoS 3',
      5,
      frame(0x10, connectBody({ level: 5, flags: 0x1e, payload: willPayload(5) })),
      MALFORMED,
      {
        twin: frame(0x10, connectBody({ level: 5, flags: 0x36, payload: willPayload(5) })),
      },
    );
    rejects(
      '[MQTT-3.1.2-14] (3.1.1) rejects Will QoS 3',
      4,
      frame(0x10, connectBody({ flags: 0x1e, payload: willPayload(4) })),
      MALFORMED,
      {
        twin: frame(0x10, connectBody({ flags: 0x16, payload: willPayload(4) })),
      },
    );
    rejects(
      '[MQTT-3.1.2-22] (3.1.1) rejects a password without a user name',
      4,
      frame(0x10, connectBody({ flags: 0x42, payload: str('c') + raw('70') })),
      MALFORMED,
      {
        twin: frame(0x10, connectBody({ flags: 0xc2, payload: str('c') + str('u') + raw('70') })),
      },
    );
    it('accepts a 5.0 password without a user name (spec 3.1.2.9)', () => {
      const bytes = frame(0x10, connectBody({ level: 5, flags: 0x42, payload: str('c') + raw('70') }));
      const packet = decodePacket(bytes, 5);
      assert.ok(packet.type === 'connect');
      assert.deepEqual(packet.password, Buffer.from('p'));
      assert.equal(packet.username, undefined);
    });
    rejects(
      '[MQTT-3.1.2-2] rejects protocol level 6 (Unsupported Protocol Version)',
      5,
      frame(0x10, connectBody({ level: 6 })),
      UNSUPPORTED_VERSION,
    );
    rejects(
      '[MQTT-3.1.2-2] rejects MQTT with level 3',
      4,
      frame(0x10, connectBody({ level: 3 })),
      UNSUPPORTED_VERSION,
      {
        twin: frame(0x10, connectBody({ name: 'MQIsdp', level: 3 })),
      },
    );
    rejects(
      '[MQTT-3.1.2-2] rejects MQIsdp with level 4',
      4,
      frame(0x10, connectBody({ name: 'MQIsdp', level: 4 })),
      UNSUPPORTED_VERSION,
    );
    rejects(
      '[MQTT-3.1.2-2] rejects a bridge-mode level (0x84)',
      4,
      frame(0x10, connectBody({ level: 0x84 })),
      UNSUPPORTED_VERSION,
    );
    rejects(
      '[MQTT-3.1.2-1] rejects the protocol name MQTX',
      4,
      frame(0x10, connectBody({ name: 'MQTX' })),
      PROTOCOL_ERROR,
    );
    rejects(
      '[MQTT-3.1.2-1] rejects the protocol name mqtt (lower case)',
      5,
      frame(0x10, connectBody({ name: 'mqtt', level: 5 })),
      PROTOCOL_ERROR,
    );
    rejects(
      '[MQTT-3.1.2-1] rejects an ill-formed protocol name',
      4,
      frame(0x10, raw('4d51eda080'), '04 02 003c', str('c')),
      MALFORMED,
    );
    rejects(
      '[MQTT-4.7.0-1] rejects a wildcard in the will topic, a Topic Name',
      4,
      frame(0x10, connectBody({ flags: 0x06, payload: str('c') + str('w/#') + raw('') })),
      TOPIC_NAME_INVALID,
      {
        twin: frame(0x10, connectBody({ flags: 0x06, payload: str('c') + str('w/x') + raw('') })),
      },
    );
    rejects(
      '[MQTT-4.7.3-1] rejects an empty will topic',
      5,
      frame(0x10, connectBody({ level: 5, flags: 0x06, payload: str('c') + NO_PROPS + str('') + raw('') })),
      TOPIC_NAME_INVALID,
    );
    rejects(
      '[MQTT-3.1.3-1] rejects a CONNECT cut inside its will',
      4,
      frame(0x10, connectBody({ flags: 0x06, payload: str('c') + str('w') })),
      MALFORMED,
    );
    rejects(
      '[MQTT-3.1.3-3] rejects a CONNECT with no client id',
      4,
      frame(0x10, connectBody({ payload: '' })),
      MALFORMED,
    );
    rejects('rejects a CONNECT cut inside its protocol name', 4, hex('10 04 0004 4d51'), MALFORMED);
    rejects(
      'rejects 5.0 CONNECT with Authentication Data and no Authentication Method (spec 3.1.2.11.10)',
      5,
      connect5(`16${raw('01')}`),
      PROTOCOL_ERROR,
      {
        twin: connect5(`15${str('m')}`, `16${raw('01')}`),
      },
    );
  });

  describe('CONNACK', () => {
    rejects(
      '[MQTT-3.2.2-1] rejects CONNACK with reserved acknowledge flags',
      5,
      frame(0x20, '02 00', NO_PROPS),
      MALFORMED,
      {
        twin: frame(0x20, '01 00', NO_PROPS),
      },
    );
    rejects(
      'rejects 3.1.1 CONNACK with reserved acknowledge flags (3.1.1 spec 3.2.2.1)',
      4,
      frame(0x20, '80 00'),
      MALFORMED,
      {
        twin: frame(0x20, '01 00'),
      },
    );
    rejects(
      '[MQTT-3.2.2-6] rejects Session Present with a non-zero reason code',
      5,
      frame(0x20, '01 80', NO_PROPS),
      PROTOCOL_ERROR,
      {
        twin: frame(0x20, '00 80', NO_PROPS),
      },
    );
    rejects(
      '[MQTT-3.2.2-4] (3.1.1) rejects Session Present with a non-zero return code',
      4,
      frame(0x20, '01 05'),
      PROTOCOL_ERROR,
    );
    rejects(
      'rejects the reserved 3.1.1 return code 6 (3.1.1 spec 3.2.2.3)',
      4,
      frame(0x20, '00 06'),
      PROTOCOL_ERROR,
      {
        twin: frame(0x20, '00 05'),
      },
    );
    rejects(
      'rejects 5.0 CONNACK with no property length (spec 3.2.2.3.1)',
      5,
      frame(0x20, '00 00'),
      MALFORMED,
      {
        twin: frame(0x20, '00 00', NO_PROPS),
      },
    );
  });

  describe('reason codes', () => {
    rejects(
      '[MQTT-3.2.2-8] rejects CONNACK reason code 0x04',
      5,
      frame(0x20, '00 04', NO_PROPS),
      PROTOCOL_ERROR,
      {
        twin: frame(0x20, '00 9f', NO_PROPS),
      },
    );
    rejects('[MQTT-3.4.2-1] rejects PUBACK reason code 0x04', 5, frame(0x40, ID, '04'), PROTOCOL_ERROR, {
      twin: frame(0x40, ID, '10'),
    });
    rejects(
      '[MQTT-3.5.2-1] rejects PUBREC reason code 0x92',
      5,
      frame(0x50, ID, '92', NO_PROPS),
      PROTOCOL_ERROR,
      {
        twin: frame(0x50, ID, '91', NO_PROPS),
      },
    );
    rejects('[MQTT-3.6.2-1] rejects PUBREL reason code 0x10', 5, frame(0x62, ID, '10'), PROTOCOL_ERROR, {
      twin: frame(0x62, ID, '92'),
    });
    rejects('[MQTT-3.7.2-1] rejects PUBCOMP reason code 0x80', 5, frame(0x70, ID, '80'), PROTOCOL_ERROR);
    rejects(
      '[MQTT-3.9.3-2] rejects SUBACK reason code 0x03',
      5,
      frame(0x90, ID, NO_PROPS, '00 03'),
      PROTOCOL_ERROR,
      {
        twin: frame(0x90, ID, NO_PROPS, '00 a2'),
      },
    );
    rejects(
      '[MQTT-3.11.3-2] rejects UNSUBACK reason code 0x01',
      5,
      frame(0xb0, ID, NO_PROPS, '01'),
      PROTOCOL_ERROR,
      {
        twin: frame(0xb0, ID, NO_PROPS, '91'),
      },
    );
    rejects('[MQTT-3.14.2-1] rejects DISCONNECT reason code 0x01', 5, frame(0xe0, '01'), PROTOCOL_ERROR, {
      twin: frame(0xe0, '04'),
    });
    rejects('[MQTT-3.15.2-1] rejects AUTH reason code 0x01', 5, frame(0xf0, '01', NO_PROPS), PROTOCOL_ERROR, {
      twin: frame(0xf0, '19', NO_PROPS),
    });
    rejects(
      'rejects AUTH with a reason code and no property length (spec 3.15.2.1)',
      5,
      frame(0xf0, '18'),
      MALFORMED,
      {
        twin: frame(0xf0, '18', NO_PROPS),
      },
    );
  });

  describe('properties', () => {
    rejects(
      '[MQTT-1.5.5-1] rejects a property length not in its shortest form',
      5,
      frame(0x40, ID, '00 80 00'),
      MALFORMED,
      {
        twin: frame(0x40, ID, '00 00'),
      },
    );
    rejects(
      '[MQTT-1.5.5-1] rejects a property identifier not in its shortest form',
      5,
      publish5('81 00 01'),
      MALFORMED,
      {
        twin: publish5('01 01'),
      },
    );
    rejects(
      '[MQTT-1.5.5-1] rejects a Subscription Identifier not in its shortest form',
      5,
      frame(0x82, ID, props('0b 81 00'), TOPIC, '00'),
      MALFORMED,
      {
        twin: frame(0x82, ID, props('0b 01'), TOPIC, '00'),
      },
    );
    rejects('rejects an unknown property id 0x04 (spec 2.2.2.2)', 5, publish5('04 00'), MALFORMED);
    rejects('rejects the unknown property id 0x00', 5, publish5('00'), MALFORMED);
    rejects('rejects the unknown property id 0x2B', 5, connect5(`2b ${u32(1)}`), MALFORMED);
    rejects(
      'rejects the unknown two-byte property id 0x80',
      5,
      frame(0x40, ID, '00', props('80 01 00')),
      MALFORMED,
    );
    rejects(
      'rejects a property length running past the end of the packet (spec 2.2.2.1)',
      5,
      frame(0x30, TOPIC, '0a 01'),
      MALFORMED,
    );
    rejects(
      'rejects a property value running past the end of its property list (spec 2.2.2.1)',
      5,
      frame(0x30, TOPIC, '03', `03${str('abcde')}`),
      MALFORMED,
    );
    rejects(
      'rejects a u32 property value cut by the end of the packet',
      5,
      frame(0x30, TOPIC, '03', '02 0000'),
      MALFORMED,
    );

    // Allowed in some packets, not in this one (spec 2.2.2.2): one per packet family.
    const notAllowed: [string, Buffer][] = [
      ['Session Expiry Interval in PUBLISH', publish5(`11${u32(10)}`)],
      ['Topic Alias in CONNECT', connect5(`23${u16(1)}`)],
      ['Session Expiry Interval in will properties', connectWill5(`11${u32(10)}`)],
      ['Subscription Identifier in will properties', connectWill5('0b 01')],
      ['Will Delay Interval in CONNACK', frame(0x20, '00 00', props(`18${u32(1)}`))],
      ['Topic Alias in PUBACK', frame(0x40, ID, '00', props(`23${u16(1)}`))],
      ['Subscription Identifier in PUBREL', frame(0x62, ID, '00', props('0b 01'))],
      ['Reason String in SUBSCRIBE', frame(0x82, ID, props(`1f${str('r')}`), TOPIC, '00')],
      ['Subscription Identifier in SUBACK', frame(0x90, ID, props('0b 01'), '00')],
      ['Subscription Identifier in UNSUBSCRIBE', frame(0xa2, ID, props('0b 01'), TOPIC)],
      ['Session Expiry Interval in UNSUBACK', frame(0xb0, ID, props(`11${u32(1)}`), '00')],
      ['Receive Maximum in DISCONNECT', frame(0xe0, '00', props(`21${u16(1)}`))],
      ['Session Expiry Interval in AUTH', frame(0xf0, '18', props(`11${u32(1)}`))],
      ['Server Keep Alive in CONNECT', connect5(`13${u16(1)}`)],
      ['Request Problem Information in CONNACK', frame(0x20, '00 00', props('17 01'))],
    ];
    for (const [what, bytes] of notAllowed) {
      rejects(`rejects ${what} (spec 2.2.2.2)`, 5, bytes, PROTOCOL_ERROR);
    }

    // A property given twice where it may appear once.
    const duplicated: [string, Buffer][] = [
      ['Message Expiry Interval twice in PUBLISH (spec 3.3.2.3.3)', publish5(`02${u32(1)}`, `02${u32(2)}`)],
      ['Topic Alias twice in PUBLISH (spec 3.3.2.3.4)', publish5(`23${u16(1)}`, `23${u16(1)}`)],
      ['Session Expiry Interval twice in CONNECT (spec 3.1.2.11.2)', connect5(`11${u32(1)}`, `11${u32(1)}`)],
      [
        'Content Type twice in will properties (spec 3.1.3.2.5)',
        connectWill5(`03${str('a')}`, `03${str('b')}`),
      ],
      [
        'Receive Maximum twice in CONNACK (spec 3.2.2.3.3)',
        frame(0x20, '00 00', props(`21${u16(1)}`, `21${u16(2)}`)),
      ],
      [
        'Reason String twice in PUBACK (spec 3.4.2.2.2)',
        frame(0x40, ID, '00', props(`1f${str('a')}`, `1f${str('b')}`)),
      ],
      [
        'Subscription Identifier twice in SUBSCRIBE (spec 3.8.2.1.2)',
        frame(0x82, ID, props('0b 01', '0b 02'), TOPIC, '00'),
      ],
      [
        'Reason String twice in SUBACK (spec 3.9.2.1.2)',
        frame(0x90, ID, props(`1f${str('a')}`, `1f${str('a')}`), '00'),
      ],
      [
        'Reason String twice in UNSUBACK (spec 3.11.2.1.2)',
        frame(0xb0, ID, props(`1f${str('a')}`, `1f${str('a')}`), '00'),
      ],
      [
        'Server Reference twice in DISCONNECT (spec 3.14.2.2.5)',
        frame(0xe0, '9c', props(`1c${str('a')}`, `1c${str('b')}`)),
      ],
      [
        'Authentication Method twice in AUTH (spec 3.15.2.2.2)',
        frame(0xf0, '18', props(`15${str('m')}`, `15${str('m')}`)),
      ],
    ];
    for (const [what, bytes] of duplicated) {
      rejects(`rejects ${what}`, 5, bytes, PROTOCOL_ERROR);
    }

    it('accepts repeated User Properties and PUBLISH Subscription Identifiers', () => {
      const packet = decodePacket(publish5(USER_PROPERTY, USER_PROPERTY, '0b 01', '0b 02'), 5);
      assert.ok(packet.type === 'publish');
      assert.deepEqual(packet.properties, {
        userProperties: [
          ['k', 'v'],
          ['k', 'v'],
        ],
        subscriptionIdentifiers: [1, 2],
      });
    });

    rejects(
      'rejects Receive Maximum 0 in CONNECT (spec 3.1.2.11.3)',
      5,
      connect5(`21${u16(0)}`),
      PROTOCOL_ERROR,
      {
        twin: connect5(`21${u16(1)}`),
      },
    );
    rejects(
      'rejects Receive Maximum 0 in CONNACK (spec 3.2.2.3.3)',
      5,
      frame(0x20, '00 00', props(`21${u16(0)}`)),
      PROTOCOL_ERROR,
    );
    rejects(
      'rejects Maximum Packet Size 0 in CONNECT (spec 3.1.2.11.4)',
      5,
      connect5(`27${u32(0)}`),
      PROTOCOL_ERROR,
      {
        twin: connect5(`27${u32(1)}`),
      },
    );
    rejects(
      'rejects Maximum Packet Size 0 in CONNACK (spec 3.2.2.3.6)',
      5,
      frame(0x20, '00 00', props(`27${u32(0)}`)),
      PROTOCOL_ERROR,
    );
    rejects(
      'rejects Subscription Identifier 0 in SUBSCRIBE (spec 3.8.2.1.2)',
      5,
      frame(0x82, ID, props('0b 00'), TOPIC, '00'),
      PROTOCOL_ERROR,
      {
        twin: frame(0x82, ID, props('0b 01'), TOPIC, '00'),
      },
    );
    rejects(
      'rejects Subscription Identifier 0 in PUBLISH (spec 3.3.2.3.8)',
      5,
      publish5('0b 00'),
      PROTOCOL_ERROR,
    );
    rejects('rejects Payload Format Indicator 2 (spec 3.3.2.3.2)', 5, publish5('01 02'), PROTOCOL_ERROR, {
      twin: publish5('01 01'),
    });
    rejects('rejects Request Problem Information 2 (spec 3.1.2.11.7)', 5, connect5('17 02'), PROTOCOL_ERROR);
    rejects('rejects Request Response Information 2 (spec 3.1.2.11.6)', 5, connect5('19 02'), PROTOCOL_ERROR);
    rejects(
      'rejects Retain Available 2 (spec 3.2.2.3.5)',
      5,
      frame(0x20, '00 00', props('25 02')),
      PROTOCOL_ERROR,
    );
    rejects(
      'rejects Maximum QoS 2 (spec 3.2.2.3.4)',
      5,
      frame(0x20, '00 00', props('24 02')),
      PROTOCOL_ERROR,
      {
        twin: frame(0x20, '00 00', props('24 01')),
      },
    );
    rejects(
      'rejects Shared Subscription Available 2 (spec 3.2.2.3.13)',
      5,
      frame(0x20, '00 00', props('2a 02')),
      PROTOCOL_ERROR,
    );
    rejects(
      'rejects will Payload Format Indicator 2 (spec 3.1.3.2.3)',
      5,
      connectWill5('01 02'),
      PROTOCOL_ERROR,
      {
        twin: connectWill5('01 00'),
      },
    );
  });

  describe('lengths', () => {
    rejects('rejects PINGREQ with a body (spec 3.12)', 4, hex('c0 01 00'), MALFORMED, { twin: hex('c0 00') });
    rejects('rejects PINGRESP with a body (spec 3.13)', 5, hex('d0 01 00'), MALFORMED);
    rejects('rejects 3.1.1 PUBACK with a trailing byte', 4, frame(0x40, ID, '00'), MALFORMED, {
      twin: frame(0x40, ID),
    });
    rejects('rejects 3.1.1 UNSUBACK with a trailing byte', 4, frame(0xb0, ID, '00'), MALFORMED, {
      twin: frame(0xb0, ID),
    });
    rejects('rejects 3.1.1 DISCONNECT with a body (3.1.1 spec 3.14)', 4, frame(0xe0, '00'), MALFORMED, {
      twin: frame(0xe0),
    });
    rejects('rejects 3.1.1 CONNACK with a trailing byte', 4, frame(0x20, '00 00 00'), MALFORMED, {
      twin: frame(0x20, '00 00'),
    });
    rejects('rejects a CONNECT with a trailing byte', 4, frame(0x10, connectBody(), '00'), MALFORMED, {
      twin: frame(0x10, connectBody()),
    });
    rejects(
      'rejects 5.0 PUBACK with a trailing byte after its properties',
      5,
      frame(0x40, ID, '10', NO_PROPS, '00'),
      MALFORMED,
      {
        twin: frame(0x40, ID, '10', NO_PROPS),
      },
    );
    rejects(
      'rejects 5.0 AUTH with a trailing byte after its properties',
      5,
      frame(0xf0, '18', NO_PROPS, '00'),
      MALFORMED,
    );
    rejects(
      'rejects a 5.0 SUBSCRIBE topic filter cut short',
      5,
      frame(0x82, ID, NO_PROPS, u16(3), '61'),
      MALFORMED,
    );
    rejects('rejects PUBACK cut inside its packet id', 4, hex('40 01 00'), MALFORMED);

    it('decodePacket rejects bytes after the packet (0x81)', () => {
      expectMqttError(() => decodePacket(hex('c0 00 c0 00'), 4), MALFORMED);
      expectMqttError(() => decodePacket(Buffer.concat([frame(0x40, ID), hex('00')]), 4), MALFORMED);
    });

    it('decodePacket rejects a packet shorter than its Remaining Length (0x81)', () => {
      expectMqttError(() => decodePacket(hex('30'), 4), MALFORMED);
      expectMqttError(() => decodePacket(hex('30 05 0001'), 4), MALFORMED);
      expectMqttError(() => decodePacket(hex('30 80'), 4), MALFORMED);
      const connect = frame(0x10, connectBody());
      for (let i = 0; i < connect.length; i++) {
        expectMqttError(() => decodePacket(connect.subarray(0, i), 4), MALFORMED, `first ${i} bytes`);
      }
    });
  });

  describe('the encoder does not produce what the decoder rejects', () => {
    const qos1: Packet = {
      type: 'publish',
      topic: 'a',
      payload: Buffer.alloc(0),
      qos: 1,
      retain: false,
      dup: false,
    };

    it('[MQTT-2.2.1-3] refuses a PUBACK, SUBSCRIBE or UNSUBSCRIBE whose packet id is not an integer 1..65535 (0x82)', () => {
      for (const packetId of [Number.NaN, 1.5, 0, 65536]) {
        expectMqttError(() => encodePacket({ type: 'puback', packetId, reasonCode: 0 }, 4), PROTOCOL_ERROR);
        expectMqttError(
          () => encodePacket({ type: 'unsubscribe', packetId, topicFilters: ['a'] }, 4),
          PROTOCOL_ERROR,
        );
      }
    });

    it('[MQTT-2.2.1-3] refuses a QoS 1 PUBLISH whose packet id is not an integer 1..65535 (0x82)', () => {
      for (const packetId of [0, 65536, undefined]) {
        expectMqttError(
          () => encodePacket({ ...qos1, packetId }, 4),
          PROTOCOL_ERROR,
          `packet id ${packetId}:`,
        );
      }
      // BUG (src/protocol/publish.ts, measurePublish): the check is `id < 1 || id > 0xffff` with no
      // Number.isInteger, so NaN passes and is written as packet id 0 (bytes 32 05 0001 61 0000),
      // which decodePacket then rejects with 0x81; 1.5 is written as packet id 1.
      for (const packetId of [Number.NaN, 1.5]) {
        expectMqttError(
          () => encodePacket({ ...qos1, packetId }, 4),
          PROTOCOL_ERROR,
          `packet id ${packetId}:`,
        );
      }
    });

    for (const level of LEVELS) {
      it(`decodes corrupted level ${level} packets to an MqttError or to a packet that re-encodes to itself`, () => {
        const corruption = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 3,
        });
        fc.assert(
          fc.property(anyPacket(level), corruption, (packet, changes) => {
            const bytes = Buffer.from(encodePacket(packet, level));
            for (const [at, value] of changes) bytes[at % bytes.length] = value;
            let decoded: Packet;
            try {
              decoded = decodePacket(bytes, level);
            } catch (err) {
              assert.ok(err instanceof MqttError, `not an MqttError: ${String(err)}`);
              return;
            }
            const again = decoded.type === 'connect' ? decoded.protocolLevel : level;
            assert.deepEqual(decodePacket(encodePacket(decoded, again), again), decoded);
          }),
          { numRuns: 1500 },
        );
      });
    }
  });
});
