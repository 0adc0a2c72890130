import assert from 'node:assert/strict';
import { generate } from 'mqtt-packet';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { ReasonCode } from '../../src/protocol/reason-codes';
import type { Packet } from '../../src/protocol/types';
import { golden, hex, oracleParse, rejects } from '../support/codec-helpers';

describe('DISCONNECT', () => {
  describe('at 3.1.1', () => {
    it('encodes and decodes an empty body', () => {
      // 0xE0 DISCONNECT, remaining 0
      golden({ type: 'disconnect', reasonCode: 0 }, hex('e0 00'), 4);
      golden({ type: 'disconnect', reasonCode: 0 }, hex('e0 00'), 3);
    });

    it('leaves out the reason code and properties, which only 5.0 has', () => {
      const packet: Packet = {
        type: 'disconnect',
        reasonCode: ReasonCode.ServerShuttingDown,
        properties: { reasonString: 'bye' },
      };
      assert.deepEqual(encodePacket(packet, 4), hex('e0 00'));
    });

    it('rejects a DISCONNECT with a body', () => {
      // DISCONNECT, remaining 1, a stray 0x00
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('e0 01 00'), 4));
    });
  });

  describe('at 5.0', () => {
    it('encodes Normal disconnection with no properties as an empty body', () => {
      golden({ type: 'disconnect', reasonCode: 0 }, hex('e0 00'), 5);
      assert.deepEqual(encodePacket({ type: 'disconnect', reasonCode: 0, properties: {} }, 5), hex('e0 00'));
    });

    it('encodes a reason code with no properties as Remaining Length 1', () => {
      // DISCONNECT, remaining 1, Disconnect with Will Message
      golden({ type: 'disconnect', reasonCode: ReasonCode.DisconnectWithWillMessage }, hex('e0 01 04'), 5);
    });

    it('carries every DISCONNECT property', () => {
      golden(
        {
          type: 'disconnect',
          reasonCode: ReasonCode.ServerShuttingDown,
          properties: {
            sessionExpiryInterval: 60,
            serverReference: 's2',
            reasonString: 'bye',
            userProperties: [['a', 'b']],
          },
        },
        hex(
          'e0 19', // DISCONNECT, remaining 25
          '8b', // Server shutting down
          '17', // property length 23
          '11 00 00 00 3c', // session expiry interval 60
          '1c 00 02 73 32', // server reference "s2"
          '1f 00 03 62 79 65', // reason string "bye"
          '26 00 01 61 00 01 62', // user property "a" = "b"
        ),
        5,
      );
    });

    it('keeps user properties with the same name, in order', () => {
      golden(
        {
          type: 'disconnect',
          reasonCode: 0,
          properties: {
            userProperties: [
              ['r', '1'],
              ['r', '2'],
            ],
          },
        },
        hex(
          'e0 10', // DISCONNECT, remaining 16
          '00', // Normal disconnection, written because properties follow
          '0e', // property length 14
          '26 00 01 72 00 01 31', // user property "r" = "1"
          '26 00 01 72 00 01 32', // user property "r" = "2"
        ),
        5,
      );
    });

    it('decodes the longer forms a sender may choose', () => {
      // DISCONNECT, remaining 2, Normal disconnection, property length 0
      assert.deepEqual(decodePacket(hex('e0 02 00 00'), 5), { type: 'disconnect', reasonCode: 0 });
      // DISCONNECT, remaining 2, Session taken over, property length 0
      assert.deepEqual(decodePacket(hex('e0 02 8e 00'), 5), { type: 'disconnect', reasonCode: 0x8e });
    });
  });

  describe('rejects', () => {
    it('rejects DISCONNECT with flags other than 0000', () => {
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('e2 00'), 5));
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('e1 00'), 4));
    });

    it('rejects a reason code that is not a DISCONNECT reason code', () => {
      for (const code of ['01', '10', '18', '84']) {
        // DISCONNECT, remaining 1, code
        rejects(ReasonCode.ProtocolError, () => decodePacket(hex('e0 01', code), 5));
      }
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'disconnect', reasonCode: ReasonCode.ContinueAuthentication }, 5),
      );
    });

    it('rejects a property outside the DISCONNECT allow-list', () => {
      // DISCONNECT, remaining 5, Normal disconnection, property length 3, receive maximum 10
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('e0 05 00 03 21 00 0a'), 5));
    });

    it('rejects a property list that runs past the end of the packet', () => {
      // DISCONNECT, remaining 2, Normal disconnection, property length 5 with nothing after it
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('e0 02 00 05'), 5));
    });
  });

  describe('agrees with mqtt-packet', () => {
    it('reads what mqtt-packet writes', () => {
      const bytes = generate(
        {
          cmd: 'disconnect',
          reasonCode: 0x8b,
          properties: { reasonString: 'bye', userProperties: { a: 'b' } },
        },
        { protocolVersion: 5 },
      );
      assert.deepEqual(decodePacket(bytes, 5), {
        type: 'disconnect',
        reasonCode: 0x8b,
        properties: { reasonString: 'bye', userProperties: [['a', 'b']] },
      });
    });

    it('writes what mqtt-packet reads', () => {
      const parsed = oracleParse(encodePacket({ type: 'disconnect', reasonCode: 0x8d }, 5), 5);
      assert.ok(parsed.cmd === 'disconnect');
      assert.equal(parsed.reasonCode, 0x8d);
      const empty = oracleParse(encodePacket({ type: 'disconnect', reasonCode: 0 }, 5), 5);
      assert.ok(empty.cmd === 'disconnect');
      assert.equal(empty.reasonCode, 0);
    });
  });
});
