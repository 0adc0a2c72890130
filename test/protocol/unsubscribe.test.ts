import assert from 'node:assert/strict';
import { generate } from 'mqtt-packet';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { ReasonCode } from '../../src/protocol/reason-codes';
import type { Packet } from '../../src/protocol/types';
import { golden, hex, oracleParse, rejects } from '../support/codec-helpers';

describe('UNSUBSCRIBE', () => {
  describe('at 3.1.1', () => {
    it('encodes and decodes a list of topic filters', () => {
      golden(
        { type: 'unsubscribe', packetId: 11, topicFilters: ['a/b', 'c'] },
        hex(
          'a2 0a', // UNSUBSCRIBE (flags 0010), remaining 10
          '00 0b', // packet id 11
          '00 03 61 2f 62', // "a/b"
          '00 01 63', // "c"
        ),
        4,
      );
    });

    it('uses the same form at level 3 (MQTT 3.1)', () => {
      // UNSUBSCRIBE, remaining 5, packet id 1, "#"
      golden({ type: 'unsubscribe', packetId: 1, topicFilters: ['#'] }, hex('a2 05 00 01 00 01 23'), 3);
    });

    it('leaves out properties', () => {
      const packet: Packet = {
        type: 'unsubscribe',
        packetId: 1,
        topicFilters: ['#'],
        properties: { userProperties: [['k', 'v']] },
      };
      assert.deepEqual(encodePacket(packet, 4), hex('a2 05 00 01 00 01 23'));
    });

    it('rejects an UNSUBSCRIBE with no topic filter as malformed', () => {
      // UNSUBSCRIBE, remaining 2, packet id 1, no payload
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('a2 02 00 01'), 4));
    });
  });

  describe('at 5.0', () => {
    it('encodes and decodes a user property', () => {
      golden(
        {
          type: 'unsubscribe',
          packetId: 11,
          topicFilters: ['a/b', 'c'],
          properties: { userProperties: [['k', 'v']] },
        },
        hex(
          'a2 12', // UNSUBSCRIBE, remaining 18
          '00 0b', // packet id 11
          '07', // property length 7
          '26 00 01 6b 00 01 76', // user property "k" = "v"
          '00 03 61 2f 62', // "a/b"
          '00 01 63', // "c"
        ),
        5,
      );
    });

    it('encodes no properties as a zero property length', () => {
      // UNSUBSCRIBE, remaining 6, packet id 1, property length 0, "#"
      golden({ type: 'unsubscribe', packetId: 1, topicFilters: ['#'] }, hex('a2 06 00 01 00 00 01 23'), 5);
    });

    it('keeps user properties with the same name, in order', () => {
      golden(
        {
          type: 'unsubscribe',
          packetId: 2,
          topicFilters: ['x'],
          properties: {
            userProperties: [
              ['u', '1'],
              ['u', '2'],
            ],
          },
        },
        hex(
          'a2 14', // UNSUBSCRIBE, remaining 20
          '00 02', // packet id 2
          '0e', // property length 14
          '26 00 01 75 00 01 31', // user property "u" = "1"
          '26 00 01 75 00 01 32', // user property "u" = "2"
          '00 01 78', // "x"
        ),
        5,
      );
    });

    it('leaves the syntax of topic filters to the broker', () => {
      // UNSUBSCRIBE, remaining 9, packet id 3, property length 0, "a#", ""
      golden(
        { type: 'unsubscribe', packetId: 3, topicFilters: ['a#', ''] },
        hex('a2 09 00 03 00 00 02 61 23 00 00'),
        5,
      );
    });
  });

  describe('rejects', () => {
    it('rejects UNSUBSCRIBE with flags other than 0010', () => {
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('a0 06 00 01 00 00 01 23'), 5));
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('a0 05 00 01 00 01 23'), 4));
    });

    it('rejects packet identifier 0', () => {
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('a2 06 00 00 00 00 01 23'), 5));
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('a2 05 00 00 00 01 23'), 4));
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'unsubscribe', packetId: 0, topicFilters: ['#'] }, 5),
      );
    });

    it('rejects a 5.0 UNSUBSCRIBE with no topic filter as a protocol error', () => {
      // UNSUBSCRIBE, remaining 3, packet id 1, property length 0, no payload
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('a2 03 00 01 00'), 5));
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'unsubscribe', packetId: 1, topicFilters: [] }, 5),
      );
    });

    it('rejects a topic filter that runs past the end of the packet', () => {
      // UNSUBSCRIBE, remaining 4, packet id 1, a string of length 5 with nothing after it
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('a2 04 00 01 00 05'), 4));
    });

    it('rejects a topic filter that is not well-formed UTF-8', () => {
      // UNSUBSCRIBE, remaining 5, packet id 1, "\xff"
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('a2 05 00 01 00 01 ff'), 4));
    });

    it('rejects a property outside the UNSUBSCRIBE allow-list', () => {
      // property length 4: reason string "a"
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('a2 0a 00 01 04 1f 00 01 61 00 01 61'), 5));
    });
  });

  describe('agrees with mqtt-packet', () => {
    it('reads what mqtt-packet writes', () => {
      const bytes = generate(
        {
          cmd: 'unsubscribe',
          messageId: 7,
          unsubscriptions: ['a', 'b/+'],
          properties: { userProperties: { k: 'v' } },
        },
        { protocolVersion: 5 },
      );
      assert.deepEqual(decodePacket(bytes, 5), {
        type: 'unsubscribe',
        packetId: 7,
        topicFilters: ['a', 'b/+'],
        properties: { userProperties: [['k', 'v']] },
      });
    });

    it('writes what mqtt-packet reads', () => {
      const parsed = oracleParse(
        encodePacket({ type: 'unsubscribe', packetId: 9, topicFilters: ['x/#'] }, 4),
        4,
      );
      assert.ok(parsed.cmd === 'unsubscribe');
      assert.equal(parsed.messageId, 9);
      assert.deepEqual(parsed.unsubscriptions, ['x/#']);
    });
  });
});
