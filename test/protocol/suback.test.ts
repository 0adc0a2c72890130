import assert from 'node:assert/strict';
import { generate } from 'mqtt-packet';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { ReasonCode } from '../../src/protocol/reason-codes';
import type { Packet } from '../../src/protocol/types';
import { golden, hex, oracleParse, rejects } from '../support/codec-helpers';

describe('SUBACK', () => {
  describe('at 3.1.1', () => {
    it('encodes and decodes the return codes 0, 1, 2 and 0x80', () => {
      golden(
        { type: 'suback', packetId: 10, reasonCodes: [0, 1, 2, 0x80] },
        hex(
          '90 06', // SUBACK, remaining 6
          '00 0a', // packet id 10
          '00 01 02 80', // granted QoS 0, 1, 2, failure
        ),
        4,
      );
    });

    it('uses the same form at level 3 (MQTT 3.1)', () => {
      // SUBACK, remaining 3, packet id 1, granted QoS 1
      golden({ type: 'suback', packetId: 1, reasonCodes: [1] }, hex('90 03 00 01 01'), 3);
    });

    it('sends every 5.0 failure code as 0x80 and leaves out properties', () => {
      const packet: Packet = {
        type: 'suback',
        packetId: 10,
        reasonCodes: [ReasonCode.NotAuthorized, ReasonCode.TopicFilterInvalid, 1],
        properties: { reasonString: 'no' },
      };
      // SUBACK, remaining 5, packet id 10, failure, failure, granted QoS 1
      assert.deepEqual(encodePacket(packet, 4), hex('90 05 00 0a 80 80 01'));
    });

    it('rejects reserved return codes as malformed', () => {
      for (const code of ['03', '10', '81', '87']) {
        // SUBACK, remaining 3, packet id 1, code
        rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('90 03 00 01', code), 4));
      }
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'suback', packetId: 1, reasonCodes: [3] }, 4),
      );
    });

    it('rejects a SUBACK with no return code as malformed', () => {
      // SUBACK, remaining 2, packet id 1, no payload
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('90 02 00 01'), 4));
    });
  });

  describe('at 5.0', () => {
    it('encodes and decodes reason codes and a reason string', () => {
      golden(
        {
          type: 'suback',
          packetId: 10,
          reasonCodes: [0, ReasonCode.NotAuthorized, ReasonCode.TopicFilterInvalid],
          properties: { reasonString: 'no' },
        },
        hex(
          '90 0b', // SUBACK, remaining 11
          '00 0a', // packet id 10
          '05', // property length 5
          '1f 00 02 6e 6f', // reason string "no"
          '00 87 8f', // granted QoS 0, Not authorized, Topic Filter invalid
        ),
        5,
      );
    });

    it('encodes no properties as a zero property length', () => {
      // SUBACK, remaining 4, packet id 1, property length 0, granted QoS 2
      golden({ type: 'suback', packetId: 1, reasonCodes: [2] }, hex('90 04 00 01 00 02'), 5);
    });

    it('keeps user properties with the same name, in order', () => {
      golden(
        {
          type: 'suback',
          packetId: 2,
          reasonCodes: [ReasonCode.WildcardSubscriptionsNotSupported],
          properties: {
            userProperties: [
              ['x', '1'],
              ['x', '2'],
            ],
          },
        },
        hex(
          '90 12', // SUBACK, remaining 18
          '00 02', // packet id 2
          '0e', // property length 14
          '26 00 01 78 00 01 31', // user property "x" = "1"
          '26 00 01 78 00 01 32', // user property "x" = "2"
          'a2', // Wildcard Subscriptions not supported
        ),
        5,
      );
    });
  });

  describe('rejects', () => {
    it('rejects SUBACK with flags other than 0000', () => {
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('92 04 00 01 00 00'), 5));
    });

    it('rejects packet identifier 0', () => {
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('90 04 00 00 00 00'), 5));
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('90 03 00 00 00'), 4));
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'suback', packetId: 0, reasonCodes: [0] }, 5),
      );
    });

    it('rejects a 5.0 SUBACK with no reason code as a protocol error', () => {
      // SUBACK, remaining 3, packet id 1, property length 0, no payload
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('90 03 00 01 00'), 5));
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'suback', packetId: 1, reasonCodes: [] }, 5),
      );
    });

    it('rejects a reason code that is not a Subscribe reason code', () => {
      for (const code of ['03', '10', '11', '81']) {
        // SUBACK, remaining 4, packet id 1, property length 0, code
        rejects(ReasonCode.ProtocolError, () => decodePacket(hex('90 04 00 01 00', code), 5));
      }
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'suback', packetId: 1, reasonCodes: [ReasonCode.NoSubscriptionExisted] }, 5),
      );
    });

    it('rejects a property outside the SUBACK allow-list', () => {
      // property length 2: subscription identifier 1
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('90 06 00 01 02 0b 01 00'), 5));
    });
  });

  describe('agrees with mqtt-packet', () => {
    it('reads what mqtt-packet writes', () => {
      const bytes = generate({ cmd: 'suback', messageId: 4, granted: [1, 0x80] }, { protocolVersion: 4 });
      assert.deepEqual(decodePacket(bytes, 4), { type: 'suback', packetId: 4, reasonCodes: [1, 0x80] });
    });

    it('writes what mqtt-packet reads', () => {
      const bytes = encodePacket(
        { type: 'suback', packetId: 8, reasonCodes: [2, 0x9e], properties: { reasonString: 'r' } },
        5,
      );
      const parsed = oracleParse(bytes, 5);
      assert.ok(parsed.cmd === 'suback');
      assert.equal(parsed.messageId, 8);
      assert.deepEqual(parsed.granted, [2, 0x9e]);
      assert.deepEqual(parsed.properties, { reasonString: 'r' });
    });
  });
});
