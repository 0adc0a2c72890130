import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { propertiesLength, readProperties, writeProperties } from '../../src/protocol/properties';
import { PROPERTY_TABLE, propertyAllowed, type WireType } from '../../src/protocol/property-table';
import { Reader } from '../../src/protocol/reader';
import type { AnyProperties, Packet, PropertyContext, UserProperty } from '../../src/protocol/types';
import { vbiLength, Writer } from '../../src/protocol/writer';
import { userProperties } from '../support/arbitraries';
import { expectMqttError } from '../support/expect';
import { props, raw, str } from '../support/wire';

/**
 * The property table against the spec's (MQTT 5.0 section 2.2.2.2, table 2-4), written out here
 * independently, and the property list codec built on it.
 */

const PACKETS: readonly PropertyContext[] = [
  'connect',
  'connack',
  'publish',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'suback',
  'unsubscribe',
  'unsuback',
  'pingreq',
  'pingresp',
  'disconnect',
  'auth',
  'will',
];

const ACKS: PropertyContext[] = ['puback', 'pubrec', 'pubrel', 'pubcomp', 'suback', 'unsuback'];

/** Spec table 2-4: identifier, name, type, and the packets (and will properties) that may carry it. */
const SPEC: [id: number, key: keyof AnyProperties, wire: WireType, contexts: PropertyContext[]][] = [
  [0x01, 'payloadFormatIndicator', 'byte', ['publish', 'will']],
  [0x02, 'messageExpiryInterval', 'u32', ['publish', 'will']],
  [0x03, 'contentType', 'utf8', ['publish', 'will']],
  [0x08, 'responseTopic', 'utf8', ['publish', 'will']],
  [0x09, 'correlationData', 'binary', ['publish', 'will']],
  [0x0b, 'subscriptionIdentifier', 'vbi', ['publish', 'subscribe']],
  [0x11, 'sessionExpiryInterval', 'u32', ['connect', 'connack', 'disconnect']],
  [0x12, 'assignedClientIdentifier', 'utf8', ['connack']],
  [0x13, 'serverKeepAlive', 'u16', ['connack']],
  [0x15, 'authenticationMethod', 'utf8', ['connect', 'connack', 'auth']],
  [0x16, 'authenticationData', 'binary', ['connect', 'connack', 'auth']],
  [0x17, 'requestProblemInformation', 'byte', ['connect']],
  [0x18, 'willDelayInterval', 'u32', ['will']],
  [0x19, 'requestResponseInformation', 'byte', ['connect']],
  [0x1a, 'responseInformation', 'utf8', ['connack']],
  [0x1c, 'serverReference', 'utf8', ['connack', 'disconnect']],
  [0x1f, 'reasonString', 'utf8', ['connack', ...ACKS, 'disconnect', 'auth']],
  [0x21, 'receiveMaximum', 'u16', ['connect', 'connack']],
  [0x22, 'topicAliasMaximum', 'u16', ['connect', 'connack']],
  [0x23, 'topicAlias', 'u16', ['publish']],
  [0x24, 'maximumQoS', 'byte', ['connack']],
  [0x25, 'retainAvailable', 'byte', ['connack']],
  [
    0x26,
    'userProperties',
    'pair',
    ['connect', 'connack', 'publish', 'will', ...ACKS, 'subscribe', 'unsubscribe', 'disconnect', 'auth'],
  ],
  [0x27, 'maximumPacketSize', 'u32', ['connect', 'connack']],
  [0x28, 'wildcardSubscriptionAvailable', 'byte', ['connack']],
  [0x29, 'subscriptionIdentifiersAvailable', 'byte', ['connack']],
  [0x2a, 'sharedSubscriptionAvailable', 'byte', ['connack']],
];

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/** One property's bytes (identifier and value) of each wire type, and the value decoded from them. */
const SAMPLE: Record<WireType, [bytes: string, value: unknown]> = {
  byte: ['01', true],
  u16: ['0102', 0x0102],
  u32: ['01020304', 0x01020304],
  vbi: ['8101', 129],
  utf8: [str('x'), 'x'],
  binary: [raw('ff00'), hex('ff00')],
  pair: [str('k') + str('v'), [['k', 'v']]],
};

function read(list: string, context: PropertyContext): AnyProperties | undefined {
  const buf = hex(list);
  const r = new Reader(buf, 0, buf.length);
  const out = readProperties(r, context);
  r.done();
  return out;
}

/** Encodes `p` as a property list for `context` and reads it back. */
function roundTrip(p: AnyProperties, context: PropertyContext): AnyProperties | undefined {
  const length = propertiesLength(p, context);
  const w = new Writer(Buffer.alloc(vbiLength(length) + length));
  writeProperties(w, p, context, length);
  assert.equal(w.pos, w.buf.length, 'propertiesLength agrees with the bytes written');
  const r = new Reader(w.buf, 0, w.buf.length);
  const out = readProperties(r, context);
  r.done();
  return out;
}

/** A property object holding `value` under `key`, whatever its type: for out-of-range values. */
function withValue(key: string, value: unknown): AnyProperties {
  const p: AnyProperties = {};
  Reflect.set(p, key, value);
  return p;
}

function decodedValue(id: number, wire: WireType, context: PropertyContext): [string, unknown] {
  const spec = SPEC.find(([i]) => i === id);
  if (spec === undefined) throw new Error(`no spec row for ${id}`);
  const [, key] = spec;
  const [, value] = SAMPLE[wire];
  if (id === 0x24) return [key, 1]; // Maximum QoS reads as a number
  if (id === 0x0b && context === 'publish') return ['subscriptionIdentifiers', [value]];
  return [key, value];
}

describe('MQTT 5.0 properties', () => {
  describe('the property table', () => {
    it('lists every property id exactly once', () => {
      const ids = PROPERTY_TABLE.map((d) => d.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual(
        [...ids].sort((a, b) => a - b),
        SPEC.map(([id]) => id),
      );
    });

    it('gives each property its own bit for duplicate detection', () => {
      const bits = PROPERTY_TABLE.map((d) => d.bit);
      assert.equal(new Set(bits).size, bits.length);
      for (const bit of bits) assert.equal(bit & (bit - 1), 0, `bit ${bit} is a single bit`);
    });

    for (const [id, key, wire, contexts] of SPEC) {
      const name = `0x${id.toString(16).padStart(2, '0')} ${key}`;
      it(`${name}: type ${wire}, allowed in ${contexts.join(', ')} (spec 2.2.2.2)`, () => {
        const def = PROPERTY_TABLE.find((d) => d.id === id);
        assert.ok(def !== undefined);
        assert.equal(def.key, key);
        assert.equal(def.wire, wire);
        assert.deepEqual([...def.contexts].sort(), [...contexts].sort());
        for (const c of PACKETS)
          assert.equal(propertyAllowed(id, c), contexts.includes(c), `${name} in ${c}`);
      });
    }

    it('allows no unknown id anywhere', () => {
      const known = new Set(SPEC.map(([id]) => id));
      for (let id = 0; id < 0x100; id++) {
        if (known.has(id)) continue;
        for (const c of PACKETS) assert.equal(propertyAllowed(id, c), false, `0x${id.toString(16)} in ${c}`);
      }
    });

    it('allows no property in PINGREQ and PINGRESP', () => {
      for (const [id] of SPEC) {
        assert.equal(propertyAllowed(id, 'pingreq'), false);
        assert.equal(propertyAllowed(id, 'pingresp'), false);
      }
    });
  });

  describe('reading a property list', () => {
    for (const [id, key, wire, contexts] of SPEC) {
      const [value] = SAMPLE[wire];
      it(`reads 0x${id.toString(16)} ${key} where allowed and rejects it elsewhere (0x82)`, () => {
        for (const c of PACKETS) {
          const list = props(id.toString(16).padStart(2, '0') + value);
          if (contexts.includes(c)) {
            const [k, v] = decodedValue(id, wire, c);
            assert.deepEqual(read(list, c), { [k]: v }, `in ${c}`);
          } else {
            expectMqttError(() => read(list, c), 0x82, `in ${c}:`);
          }
        }
      });
    }

    it('reads an empty property list as no properties', () => {
      for (const c of PACKETS) assert.equal(read('00', c), undefined);
    });

    it('rejects every unknown property id with 0x81 (spec 2.2.2.2)', () => {
      const known = new Set(SPEC.map(([id]) => id));
      for (let id = 0; id < 0x80; id++) {
        if (known.has(id)) continue;
        const list = props(`${id.toString(16).padStart(2, '0')}00`);
        for (const c of PACKETS) expectMqttError(() => read(list, c), 0x81, `0x${id.toString(16)} in ${c}:`);
      }
    });

    it('rejects a second copy of every single-valued property (0x82)', () => {
      for (const [id, key, wire, contexts] of SPEC) {
        const one = id.toString(16).padStart(2, '0') + SAMPLE[wire][0];
        for (const c of contexts) {
          const twice = props(one + one);
          // User Property may repeat anywhere; Subscription Identifier in PUBLISH only [MQTT-3.3.4-4].
          if (id === 0x26 || (id === 0x0b && c === 'publish')) {
            assert.doesNotThrow(() => read(twice, c), `${key} twice in ${c}`);
          } else {
            expectMqttError(() => read(twice, c), 0x82, `${key} twice in ${c}:`);
          }
        }
      }
    });

    it('keeps user properties in order, duplicates included', () => {
      const list = props(
        ...[
          ['b', '1'],
          ['a', '2'],
          ['b', '3'],
          ['1', 'x'],
          ['a', '2'],
          ['', ''],
        ].map(([k, v]) => `26${str(k ?? '')}${str(v ?? '')}`),
      );
      for (const c of SPEC.find(([id]) => id === 0x26)?.[3] ?? []) {
        assert.deepEqual(read(list, c), {
          userProperties: [
            ['b', '1'],
            ['a', '2'],
            ['b', '3'],
            ['1', 'x'],
            ['a', '2'],
            ['', ''],
          ],
        });
      }
    });

    it('keeps PUBLISH Subscription Identifiers in order', () => {
      assert.deepEqual(read(props('0b 05', '0b 01', '0b ffffff7f', '0b 05'), 'publish'), {
        subscriptionIdentifiers: [5, 1, 268435455, 5],
      });
    });

    it('reads the extreme values of each integer type', () => {
      assert.deepEqual(read(props('13 ffff', '11 ffffffff', '27 ffffffff', '22 0000'), 'connack'), {
        serverKeepAlive: 0xffff,
        sessionExpiryInterval: 0xffffffff,
        maximumPacketSize: 0xffffffff,
        topicAliasMaximum: 0,
      });
      assert.deepEqual(read(props('23 ffff', '02 00000000', '01 00'), 'publish'), {
        topicAlias: 0xffff,
        messageExpiryInterval: 0,
        payloadFormatIndicator: false,
      });
    });
  });

  describe('writing a property list', () => {
    it('round-trips random user property lists in order in every packet that allows them', () => {
      const contexts = SPEC.find(([id]) => id === 0x26)?.[3] ?? [];
      fc.assert(
        fc.property(userProperties, fc.constantFrom(...contexts), (list, context) => {
          assert.deepEqual(roundTrip({ userProperties: list }, context), { userProperties: list });
        }),
        { numRuns: 500 },
      );
    });

    it('keeps user properties in order and with duplicates through whole packets', () => {
      const list: UserProperty[] = [
        ['z', '1'],
        ['a', '1'],
        ['z', '1'],
        ['10', 'n'],
        ['2', 'm'],
        ['a', ''],
      ];
      const properties = { userProperties: list };
      const packets: Packet[] = [
        {
          type: 'connect',
          protocolName: 'MQTT',
          protocolLevel: 5,
          clientId: 'c',
          cleanStart: true,
          keepAlive: 0,
          will: { topic: 'w', payload: Buffer.alloc(0), qos: 0, retain: false, properties },
          properties,
        },
        { type: 'connack', sessionPresent: false, reasonCode: 0, properties },
        {
          type: 'publish',
          topic: 't',
          payload: Buffer.alloc(0),
          qos: 0,
          retain: false,
          dup: false,
          properties,
        },
        { type: 'pubrel', packetId: 1, reasonCode: 0, properties },
        {
          type: 'subscribe',
          packetId: 1,
          subscriptions: [
            { topicFilter: 't', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
          ],
          properties,
        },
        { type: 'suback', packetId: 1, reasonCodes: [0], properties },
        { type: 'unsubscribe', packetId: 1, topicFilters: ['t'], properties },
        { type: 'unsuback', packetId: 1, reasonCodes: [0], properties },
        { type: 'disconnect', reasonCode: 0, properties },
        { type: 'auth', reasonCode: 0x18, properties },
      ];
      for (const p of packets) assert.deepEqual(decodePacket(encodePacket(p, 5), 5), p, p.type);
    });

    it('writes the extreme values of each type and reads them back', () => {
      const p: AnyProperties = {
        sessionExpiryInterval: 0xffffffff,
        receiveMaximum: 0xffff,
        maximumPacketSize: 0xffffffff,
        topicAliasMaximum: 0xffff,
        serverKeepAlive: 0,
        maximumQoS: 0,
        retainAvailable: false,
        reasonString: 'x'.repeat(65535),
        authenticationData: Buffer.alloc(65535, 7),
      };
      assert.deepEqual(roundTrip(p, 'connack'), p);
      assert.deepEqual(roundTrip({ subscriptionIdentifier: 268435455 }, 'subscribe'), {
        subscriptionIdentifier: 268435455,
      });
      assert.deepEqual(roundTrip({ subscriptionIdentifiers: [1, 268435455] }, 'publish'), {
        subscriptionIdentifiers: [1, 268435455],
      });
    });

    it('writes nothing for an empty property object', () => {
      assert.equal(propertiesLength({}, 'publish'), 0);
      assert.equal(roundTrip({}, 'publish'), undefined);
    });

    it('leaves out properties the packet does not carry', () => {
      const p = withValue('sessionExpiryInterval', 10);
      p.contentType = 'text/plain';
      assert.deepEqual(roundTrip(p, 'publish'), { contentType: 'text/plain' });
    });

    it('leaves out every property at levels 3 and 4', () => {
      const p: Packet = { type: 'puback', packetId: 1, reasonCode: 0, properties: { reasonString: 'x' } };
      assert.equal(encodePacket(p, 4).toString('hex'), '40020001');
    });

    const outOfRange: [PropertyContext, string, unknown, number][] = [
      ['connect', 'receiveMaximum', 0, 0x82],
      ['connect', 'receiveMaximum', 65536, 0x82],
      ['connack', 'receiveMaximum', -1, 0x82],
      ['connect', 'topicAliasMaximum', 65536, 0x82],
      ['connack', 'serverKeepAlive', 70000, 0x82],
      ['connack', 'serverKeepAlive', 1.5, 0x82],
      ['publish', 'topicAlias', 0, 0x82],
      ['publish', 'topicAlias', 0x10000, 0x82],
      ['connect', 'maximumPacketSize', 0, 0x82],
      ['connack', 'maximumPacketSize', 2 ** 32, 0x82],
      ['connect', 'sessionExpiryInterval', -1, 0x82],
      ['disconnect', 'sessionExpiryInterval', 2 ** 32, 0x82],
      ['will', 'willDelayInterval', Number.NaN, 0x82],
      ['publish', 'messageExpiryInterval', '5', 0x82],
      ['publish', 'payloadFormatIndicator', 2, 0x82],
      ['connect', 'requestProblemInformation', 'yes', 0x82],
      ['connack', 'maximumQoS', 2, 0x82],
      ['subscribe', 'subscriptionIdentifier', 0, 0x82],
      ['subscribe', 'subscriptionIdentifier', 268435456, 0x82],
      ['publish', 'subscriptionIdentifiers', [1, 0], 0x82],
      ['publish', 'correlationData', 'text', 0x82],
      ['publish', 'correlationData', Buffer.alloc(65536), 0x82],
      ['publish', 'contentType', 5, 0x82],
      ['publish', 'contentType', 'a\ud800', 0x81],
      ['publish', 'contentType', 'a\u0000', 0x81],
      ['puback', 'reasonString', 'x'.repeat(65536), 0x81],
      ['publish', 'userProperties', 'k=v', 0x82],
      ['publish', 'userProperties', [['k', 1]], 0x82],
      ['publish', 'userProperties', [['k']], 0x82],
      ['publish', 'userProperties', [['k', '\u0000']], 0x81],
    ];
    for (const [context, key, value, code] of outOfRange) {
      it(`rejects ${key} = ${JSON.stringify(value)?.slice(0, 20) ?? String(value)} in ${context} (0x${code.toString(16)})`, () => {
        expectMqttError(() => propertiesLength(withValue(key, value), context), code);
      });
    }

    it('rejects out-of-range values when encoding whole packets', () => {
      const connect = (properties: AnyProperties): Packet => ({
        type: 'connect',
        protocolName: 'MQTT',
        protocolLevel: 5,
        clientId: 'c',
        cleanStart: true,
        keepAlive: 0,
        properties,
      });
      expectMqttError(() => encodePacket(connect({ receiveMaximum: 0 }), 5), 0x82);
      expectMqttError(() => encodePacket(connect({ maximumPacketSize: 0 }), 5), 0x82);
      expectMqttError(() => encodePacket(connect(withValue('requestResponseInformation', 2)), 5), 0x82);
      const publish: Packet = {
        type: 'publish',
        topic: 't',
        payload: Buffer.alloc(0),
        qos: 0,
        retain: false,
        dup: false,
        properties: { topicAlias: 0 },
      };
      expectMqttError(() => encodePacket(publish, 5), 0x82);
      const subscribe: Packet = {
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: 't', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ],
        properties: { subscriptionIdentifier: 0 },
      };
      expectMqttError(() => encodePacket(subscribe, 5), 0x82);
    });
  });
});
