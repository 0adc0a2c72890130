import assert from 'node:assert/strict';
import { generate } from 'mqtt-packet';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { ReasonCode } from '../../src/protocol/reason-codes';
import type { Packet, SubscribePacket, Subscription } from '../../src/protocol/types';
import { golden, hex, oracleParse, rejects } from '../support/codec-helpers';

/** A subscription with the 5.0 options at their defaults. */
function sub(topicFilter: string, qos: 0 | 1 | 2, options: Partial<Subscription> = {}): Subscription {
  return { topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0, ...options };
}

/** A SUBSCRIBE with `subscriptions[0]` changed as a JavaScript caller could, past the types. */
function withBadOption(key: keyof Subscription, value: unknown, topicFilter = 'a'): SubscribePacket {
  const bad = sub(topicFilter, 0);
  Reflect.set(bad, key, value);
  return { type: 'subscribe', packetId: 1, subscriptions: [bad] };
}

describe('SUBSCRIBE', () => {
  describe('at 3.1.1', () => {
    it('encodes and decodes topic filters with their requested QoS', () => {
      golden(
        { type: 'subscribe', packetId: 10, subscriptions: [sub('a/b', 1), sub('c/#', 2)] },
        hex(
          '82 0e', // SUBSCRIBE (flags 0010), remaining 14
          '00 0a', // packet id 10
          '00 03 61 2f 62', // "a/b"
          '01', // QoS 1
          '00 03 63 2f 23', // "c/#"
          '02', // QoS 2
        ),
        4,
      );
    });

    it('uses the same form at level 3 (MQTT 3.1)', () => {
      // SUBSCRIBE, remaining 6, packet id 1, "x", QoS 0
      golden(
        { type: 'subscribe', packetId: 1, subscriptions: [sub('x', 0)] },
        hex('82 06 00 01 00 01 78 00'),
        3,
      );
    });

    it('leaves out properties and the 5.0 subscription options', () => {
      const packet: Packet = {
        type: 'subscribe',
        packetId: 1,
        properties: { subscriptionIdentifier: 7 },
        subscriptions: [sub('a', 1, { noLocal: true, retainAsPublished: true, retainHandling: 2 })],
      };
      // SUBSCRIBE, remaining 6, packet id 1, "a", QoS 1 alone
      assert.deepEqual(encodePacket(packet, 4), hex('82 06 00 01 00 01 61 01'));
    });

    it('rejects reserved option bits, which include No Local at 3.1.1', () => {
      for (const options of ['04', '08', '10', '80']) {
        // SUBSCRIBE, remaining 6, packet id 1, "a", options
        rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('82 06 00 01 00 01 61', options), 4));
      }
    });

    it('rejects QoS 3 as malformed', () => {
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('82 06 00 01 00 01 61 03'), 4));
      rejects(ReasonCode.MalformedPacket, () => encodePacket(withBadOption('qos', 3), 4));
    });

    it('rejects a SUBSCRIBE with no topic filter as malformed', () => {
      // SUBSCRIBE, remaining 2, packet id 1, no payload
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('82 02 00 01'), 4));
    });
  });

  describe('at 5.0', () => {
    it('encodes and decodes properties and every subscription option', () => {
      golden(
        {
          type: 'subscribe',
          packetId: 10,
          properties: { subscriptionIdentifier: 300, userProperties: [['k', 'v']] },
          subscriptions: [
            sub('a/b', 1, { noLocal: true, retainAsPublished: true, retainHandling: 2 }),
            sub('$share/g/x', 0, { retainHandling: 1 }),
          ],
        },
        hex(
          '82 20', // SUBSCRIBE, remaining 32
          '00 0a', // packet id 10
          '0a', // property length 10
          '0b ac 02', // subscription identifier 300 (variable byte integer)
          '26 00 01 6b 00 01 76', // user property "k" = "v"
          '00 03 61 2f 62', // "a/b"
          '2d', // retain handling 2 (0x20), retain as published (0x08), no local (0x04), QoS 1
          '00 0a 24 73 68 61 72 65 2f 67 2f 78', // "$share/g/x"
          '10', // retain handling 1, QoS 0
        ),
        5,
      );
    });

    it('encodes no properties as a zero property length', () => {
      // SUBSCRIBE, remaining 7, packet id 1, property length 0, "a", QoS 0
      golden(
        { type: 'subscribe', packetId: 1, subscriptions: [sub('a', 0)] },
        hex('82 07 00 01 00 00 01 61 00'),
        5,
      );
    });

    it('keeps user properties with the same name, in order', () => {
      golden(
        {
          type: 'subscribe',
          packetId: 2,
          properties: {
            userProperties: [
              ['u', '1'],
              ['u', '2'],
            ],
          },
          subscriptions: [sub('ü', 2)],
        },
        hex(
          '82 16', // SUBSCRIBE, remaining 22
          '00 02', // packet id 2
          '0e', // property length 14
          '26 00 01 75 00 01 31', // user property "u" = "1"
          '26 00 01 75 00 01 32', // user property "u" = "2"
          '00 02 c3 bc', // "ü" in UTF-8
          '02', // QoS 2
        ),
        5,
      );
    });

    it('leaves wildcard placement and empty filters to the broker', () => {
      golden(
        { type: 'subscribe', packetId: 3, subscriptions: [sub('a/#/b', 0), sub('', 1)] },
        hex(
          '82 0e', // SUBSCRIBE, remaining 14
          '00 03', // packet id 3
          '00', // property length 0
          '00 05 61 2f 23 2f 62', // "a/#/b", '#' not last
          '00', // QoS 0
          '00 00', // ""
          '01', // QoS 1
        ),
        5,
      );
    });
  });

  describe('rejects', () => {
    it('rejects SUBSCRIBE with flags other than 0010', () => {
      // 0x80: SUBSCRIBE with flags 0000
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('80 07 00 01 00 00 01 61 00'), 5));
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('80 06 00 01 00 01 61 00'), 4));
    });

    it('rejects packet identifier 0', () => {
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('82 07 00 00 00 00 01 61 00'), 5));
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('82 06 00 00 00 01 61 00'), 4));
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'subscribe', packetId: 0, subscriptions: [sub('a', 0)] }, 5),
      );
    });

    it('rejects a 5.0 SUBSCRIBE with no topic filter as a protocol error', () => {
      // SUBSCRIBE, remaining 3, packet id 1, property length 0, no payload
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('82 03 00 01 00'), 5));
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'subscribe', packetId: 1, subscriptions: [] }, 5),
      );
    });

    it('rejects reserved option bits 6 and 7 as malformed', () => {
      for (const options of ['40', '80']) {
        rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('82 07 00 01 00 00 01 61', options), 5));
      }
    });

    it('rejects maximum QoS 3 as a protocol error', () => {
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('82 07 00 01 00 00 01 61 03'), 5));
      rejects(ReasonCode.ProtocolError, () => encodePacket(withBadOption('qos', 3), 5));
    });

    it('rejects retain handling 3 as a protocol error', () => {
      // options 0x30: retain handling 3
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('82 07 00 01 00 00 01 61 30'), 5));
      rejects(ReasonCode.ProtocolError, () => encodePacket(withBadOption('retainHandling', 3), 5));
    });

    it('rejects No Local on a shared subscription', () => {
      const bytes = hex(
        '82 10', // SUBSCRIBE, remaining 16
        '00 01', // packet id 1
        '00', // property length 0
        '00 0a 24 73 68 61 72 65 2f 67 2f 78', // "$share/g/x"
        '04', // no local, QoS 0
      );
      rejects(ReasonCode.ProtocolError, () => decodePacket(bytes, 5));
      rejects(ReasonCode.ProtocolError, () => encodePacket(withBadOption('noLocal', true, '$share/g/x'), 5));
    });

    it('rejects a topic filter that is not well-formed UTF-8', () => {
      // "\xff" is not UTF-8; "\x00" is U+0000
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('82 07 00 01 00 00 01 ff 00'), 5));
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('82 07 00 01 00 00 01 00 00'), 5));
    });

    it('rejects a topic filter without its options byte', () => {
      // SUBSCRIBE, remaining 6, packet id 1, property length 0, "a", then the end
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('82 06 00 01 00 00 01 61'), 5));
    });

    it('rejects a property outside the SUBSCRIBE allow-list', () => {
      // property length 4: reason string "a"
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('82 0b 00 01 04 1f 00 01 61 00 01 61 00'), 5));
    });

    it('rejects two subscription identifiers, and subscription identifier 0', () => {
      // property length 4: subscription identifier 1, subscription identifier 2
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('82 0b 00 01 04 0b 01 0b 02 00 01 61 00'), 5));
      // property length 2: subscription identifier 0
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('82 09 00 01 02 0b 00 00 01 61 00'), 5));
    });
  });

  describe('agrees with mqtt-packet', () => {
    it('reads what mqtt-packet writes', () => {
      const bytes = generate(
        {
          cmd: 'subscribe',
          messageId: 5,
          properties: { subscriptionIdentifier: 9 },
          subscriptions: [{ topic: 'a/+', qos: 2, nl: true, rap: false, rh: 1 }],
        },
        { protocolVersion: 5 },
      );
      assert.deepEqual(decodePacket(bytes, 5), {
        type: 'subscribe',
        packetId: 5,
        properties: { subscriptionIdentifier: 9 },
        subscriptions: [sub('a/+', 2, { noLocal: true, retainHandling: 1 })],
      });
    });

    it('writes what mqtt-packet reads', () => {
      const bytes = encodePacket(
        {
          type: 'subscribe',
          packetId: 6,
          subscriptions: [sub('x/#', 1, { retainAsPublished: true, retainHandling: 2 })],
        },
        5,
      );
      const parsed = oracleParse(bytes, 5);
      assert.ok(parsed.cmd === 'subscribe');
      assert.equal(parsed.messageId, 6);
      assert.deepEqual(parsed.subscriptions, [{ topic: 'x/#', qos: 1, nl: false, rap: true, rh: 2 }]);
    });
  });
});
