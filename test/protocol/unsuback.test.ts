import assert from 'node:assert/strict';
import { generate } from 'mqtt-packet';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { ReasonCode } from '../../src/protocol/reason-codes';
import type { Packet } from '../../src/protocol/types';
import { golden, hex, oracleParse, rejects } from '../support/codec-helpers';

describe('UNSUBACK', () => {
  describe('at 3.1.1', () => {
    it('encodes and decodes the packet identifier alone, with no reason codes', () => {
      // UNSUBACK, remaining 2, packet id 11
      golden({ type: 'unsuback', packetId: 11, reasonCodes: [] }, hex('b0 02 00 0b'), 4);
    });

    it('uses the same form at level 3 (MQTT 3.1)', () => {
      golden({ type: 'unsuback', packetId: 0x0102, reasonCodes: [] }, hex('b0 02 01 02'), 3);
    });

    it('leaves out the reason codes and properties, which only 5.0 has', () => {
      const packet: Packet = {
        type: 'unsuback',
        packetId: 11,
        reasonCodes: [ReasonCode.NoSubscriptionExisted],
        properties: { reasonString: 'x' },
      };
      assert.deepEqual(encodePacket(packet, 4), hex('b0 02 00 0b'));
    });

    it('rejects bytes after the packet identifier', () => {
      // UNSUBACK, remaining 3, packet id 11, a stray 0x00
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('b0 03 00 0b 00'), 4));
    });
  });

  describe('at 5.0', () => {
    it('encodes and decodes one reason code per topic filter', () => {
      golden(
        { type: 'unsuback', packetId: 11, reasonCodes: [0, ReasonCode.NoSubscriptionExisted] },
        hex(
          'b0 05', // UNSUBACK, remaining 5
          '00 0b', // packet id 11
          '00', // property length 0
          '00 11', // Success, No subscription existed
        ),
        5,
      );
    });

    it('carries a reason string and user properties', () => {
      golden(
        {
          type: 'unsuback',
          packetId: 12,
          reasonCodes: [ReasonCode.NotAuthorized],
          properties: { reasonString: 'none', userProperties: [['a', 'b']] },
        },
        hex(
          'b0 12', // UNSUBACK, remaining 18
          '00 0c', // packet id 12
          '0e', // property length 14
          '1f 00 04 6e 6f 6e 65', // reason string "none"
          '26 00 01 61 00 01 62', // user property "a" = "b"
          '87', // Not authorized
        ),
        5,
      );
    });

    it('keeps user properties with the same name, in order', () => {
      golden(
        {
          type: 'unsuback',
          packetId: 1,
          reasonCodes: [0],
          properties: {
            userProperties: [
              ['k', '2'],
              ['k', '1'],
            ],
          },
        },
        hex(
          'b0 12', // UNSUBACK, remaining 18
          '00 01', // packet id 1
          '0e', // property length 14
          '26 00 01 6b 00 01 32', // user property "k" = "2"
          '26 00 01 6b 00 01 31', // user property "k" = "1"
          '00', // Success
        ),
        5,
      );
    });
  });

  describe('rejects', () => {
    it('rejects UNSUBACK with flags other than 0000', () => {
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('b2 02 00 0b'), 4));
    });

    it('rejects packet identifier 0', () => {
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('b0 02 00 00'), 4));
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('b0 04 00 00 00 00'), 5));
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'unsuback', packetId: 0, reasonCodes: [] }, 4),
      );
    });

    it('rejects a 5.0 UNSUBACK without a property length', () => {
      // UNSUBACK, remaining 2, packet id 11: the 3.1.1 form
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('b0 02 00 0b'), 5));
    });

    it('rejects a 5.0 UNSUBACK with no reason code as a protocol error', () => {
      // UNSUBACK, remaining 3, packet id 11, property length 0, no payload
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('b0 03 00 0b 00'), 5));
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'unsuback', packetId: 1, reasonCodes: [] }, 5),
      );
    });

    it('rejects a reason code that is not an Unsubscribe reason code', () => {
      for (const code of ['01', '10', '81', '9e']) {
        // UNSUBACK, remaining 4, packet id 11, property length 0, code
        rejects(ReasonCode.ProtocolError, () => decodePacket(hex('b0 04 00 0b 00', code), 5));
      }
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'unsuback', packetId: 1, reasonCodes: [2] }, 5),
      );
    });

    it('rejects a property outside the UNSUBACK allow-list', () => {
      // property length 5: session expiry interval 0
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('b0 09 00 0b 05 11 00 00 00 00 00'), 5));
    });
  });

  describe('agrees with mqtt-packet', () => {
    it('reads what mqtt-packet writes', () => {
      const bytes = generate({ cmd: 'unsuback', messageId: 11, granted: [0, 0x11] }, { protocolVersion: 5 });
      assert.deepEqual(decodePacket(bytes, 5), { type: 'unsuback', packetId: 11, reasonCodes: [0, 0x11] });
    });

    it('writes what mqtt-packet reads', () => {
      const parsed = oracleParse(encodePacket({ type: 'unsuback', packetId: 6, reasonCodes: [0x8f] }, 5), 5);
      assert.ok(parsed.cmd === 'unsuback');
      assert.equal(parsed.messageId, 6);
      assert.deepEqual(parsed.granted, [0x8f]);
    });
  });
});
