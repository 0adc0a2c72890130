import assert from 'node:assert/strict';
import { generate } from 'mqtt-packet';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { ReasonCode } from '../../src/protocol/reason-codes';
import type { Packet } from '../../src/protocol/types';
import { golden, hex, oracleParse, rejects } from '../support/codec-helpers';

describe('PUBACK, PUBREC, PUBREL, PUBCOMP', () => {
  describe('at 3.1.1', () => {
    it('encodes and decodes each ack as its packet identifier alone', () => {
      // 0x40 PUBACK, remaining 2, packet id 0x1234
      golden({ type: 'puback', packetId: 0x1234, reasonCode: 0 }, hex('40 02 12 34'), 4);
      // 0x50 PUBREC, remaining 2, packet id 1
      golden({ type: 'pubrec', packetId: 1, reasonCode: 0 }, hex('50 02 00 01'), 4);
      // 0x62 PUBREL (flags 0010), remaining 2, packet id 65535
      golden({ type: 'pubrel', packetId: 0xffff, reasonCode: 0 }, hex('62 02 ff ff'), 4);
      // 0x70 PUBCOMP, remaining 2, packet id 0x0100
      golden({ type: 'pubcomp', packetId: 0x0100, reasonCode: 0 }, hex('70 02 01 00'), 4);
    });

    it('uses the same form at level 3 (MQTT 3.1)', () => {
      // 0x62 PUBREL, remaining 2, packet id 0x0a0b
      golden({ type: 'pubrel', packetId: 0x0a0b, reasonCode: 0 }, hex('62 02 0a 0b'), 3);
    });

    it('leaves out the reason code and properties, which only 5.0 has', () => {
      const packet: Packet = {
        type: 'puback',
        packetId: 7,
        reasonCode: 0x87,
        properties: { reasonString: 'x' },
      };
      // 0x40 PUBACK, remaining 2, packet id 7
      assert.deepEqual(encodePacket(packet, 4), hex('40 02 00 07'));
    });

    it('rejects bytes after the packet identifier', () => {
      // PUBACK, remaining 3, packet id 1, a stray 0x00
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('40 03 00 01 00'), 4));
    });
  });

  describe('at 5.0', () => {
    it('encodes Success with no properties in the shortest form, Remaining Length 2', () => {
      const packet: Packet = { type: 'puback', packetId: 1, reasonCode: 0 };
      // 0x40 PUBACK, remaining 2, packet id 1
      const bytes = hex('40 02 00 01');
      golden(packet, bytes, 5);
      assert.deepEqual(encodePacket({ ...packet, properties: {} }, 5), bytes);
      assert.deepEqual(encodePacket({ ...packet, properties: { userProperties: [] } }, 5), bytes);
    });

    it('encodes a reason code with no properties as Remaining Length 3', () => {
      // 0x50 PUBREC, remaining 3, packet id 10, 0x10 No matching subscribers
      golden({ type: 'pubrec', packetId: 10, reasonCode: 0x10 }, hex('50 03 00 0a 10'), 5);
      // 0x70 PUBCOMP, remaining 3, packet id 5, 0x92 Packet Identifier not found
      golden({ type: 'pubcomp', packetId: 5, reasonCode: 0x92 }, hex('70 03 00 05 92'), 5);
    });

    it('carries a reason string', () => {
      golden(
        { type: 'puback', packetId: 1, reasonCode: 0x10, properties: { reasonString: 'ok' } },
        hex(
          '40 09', // PUBACK, remaining 9
          '00 01', // packet id 1
          '10', // No matching subscribers
          '05', // property length 5
          '1f 00 02 6f 6b', // reason string "ok"
        ),
        5,
      );
    });

    it('keeps user properties with the same name, in order', () => {
      golden(
        {
          type: 'puback',
          packetId: 1,
          reasonCode: 0,
          properties: {
            userProperties: [
              ['k', 'a'],
              ['k', 'b'],
            ],
          },
        },
        hex(
          '40 12', // PUBACK, remaining 18
          '00 01', // packet id 1
          '00', // Success, written because properties follow
          '0e', // property length 14
          '26 00 01 6b 00 01 61', // user property "k" = "a"
          '26 00 01 6b 00 01 62', // user property "k" = "b"
        ),
        5,
      );
    });

    it('encodes PUBREL with a reason code, a reason string and a user property', () => {
      golden(
        {
          type: 'pubrel',
          packetId: 0x0203,
          reasonCode: ReasonCode.PacketIdentifierNotFound,
          properties: { reasonString: 'gone', userProperties: [['a', 'b']] },
        },
        hex(
          '62 12', // PUBREL (flags 0010), remaining 18
          '02 03', // packet id 0x0203
          '92', // Packet Identifier not found
          '0e', // property length 14
          '1f 00 04 67 6f 6e 65', // reason string "gone"
          '26 00 01 61 00 01 62', // user property "a" = "b"
        ),
        5,
      );
    });

    it('decodes the longer forms a sender may choose', () => {
      // PUBACK, remaining 3, packet id 1, Success
      assert.deepEqual(decodePacket(hex('40 03 00 01 00'), 5), {
        type: 'puback',
        packetId: 1,
        reasonCode: 0,
      });
      // PUBACK, remaining 4, packet id 1, Success, property length 0: no properties object
      assert.deepEqual(decodePacket(hex('40 04 00 01 00 00'), 5), {
        type: 'puback',
        packetId: 1,
        reasonCode: 0,
      });
      // PUBREC, remaining 4, packet id 1, No matching subscribers, property length 0
      assert.deepEqual(decodePacket(hex('50 04 00 01 10 00'), 5), {
        type: 'pubrec',
        packetId: 1,
        reasonCode: 0x10,
      });
    });
  });

  describe('rejects', () => {
    it('rejects PUBREL with flags other than 0010', () => {
      // 0x60: PUBREL with flags 0000, remaining 2, packet id 1
      for (const level of [4, 5] as const) {
        rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('60 02 00 01'), level));
      }
    });

    it('rejects PUBACK, PUBREC and PUBCOMP with flags other than 0000', () => {
      for (const first of [0x42, 0x52, 0x72]) {
        rejects(ReasonCode.MalformedPacket, () => decodePacket(Buffer.from([first, 0x02, 0x00, 0x01]), 5));
      }
    });

    it('rejects packet identifier 0', () => {
      // PUBACK, remaining 2, packet id 0
      for (const level of [4, 5] as const) {
        rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('40 02 00 00'), level));
      }
      for (const packetId of [0, 0x10000, 1.5]) {
        rejects(ReasonCode.ProtocolError, () => encodePacket({ type: 'pubrec', packetId, reasonCode: 0 }, 5));
      }
    });

    it('rejects a packet identifier cut short', () => {
      // PUBCOMP, remaining 1, one byte of packet id
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('70 01 00'), 5));
    });

    it('rejects a reason code the packet type may not carry', () => {
      // PUBACK, remaining 3, packet id 1, 0x92 (a PUBREL/PUBCOMP code)
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('40 03 00 01 92'), 5));
      // PUBREL, remaining 3, packet id 1, 0x10 (a PUBACK/PUBREC code)
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('62 03 00 01 10'), 5));
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'pubcomp', packetId: 1, reasonCode: 0x10 }, 5),
      );
    });

    it('rejects a property outside the ack allow-list', () => {
      // PUBACK, remaining 7, packet id 1, Success, property length 3, topic alias 5
      const bytes = hex('40 07 00 01 00 03 23 00 05');
      rejects(ReasonCode.ProtocolError, () => decodePacket(bytes, 5));
    });

    it('rejects a reason string given twice', () => {
      const bytes = hex(
        '40 0c', // PUBACK, remaining 12
        '00 01', // packet id 1
        '00', // Success
        '08', // property length 8
        '1f 00 01 61', // reason string "a"
        '1f 00 01 62', // reason string "b"
      );
      rejects(ReasonCode.ProtocolError, () => decodePacket(bytes, 5));
    });

    it('rejects a property list that runs past the end of the packet', () => {
      // PUBACK, remaining 4, packet id 1, Success, property length 5 with nothing after it
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('40 04 00 01 00 05'), 5));
    });
  });

  describe('agrees with mqtt-packet', () => {
    it('reads what mqtt-packet writes', () => {
      const bytes = generate(
        {
          cmd: 'pubrel',
          messageId: 0x0203,
          reasonCode: 0x92,
          properties: { reasonString: 'gone', userProperties: { a: 'b' } },
        },
        { protocolVersion: 5 },
      );
      assert.deepEqual(decodePacket(bytes, 5), {
        type: 'pubrel',
        packetId: 0x0203,
        reasonCode: 0x92,
        properties: { reasonString: 'gone', userProperties: [['a', 'b']] },
      });
      assert.deepEqual(decodePacket(generate({ cmd: 'puback', messageId: 9 }, { protocolVersion: 4 }), 4), {
        type: 'puback',
        packetId: 9,
        reasonCode: 0,
      });
    });

    it('writes what mqtt-packet reads', () => {
      const bytes = encodePacket(
        { type: 'pubrec', packetId: 3, reasonCode: 0x97, properties: { reasonString: 'quota' } },
        5,
      );
      const parsed = oracleParse(bytes, 5);
      assert.ok(parsed.cmd === 'pubrec');
      assert.equal(parsed.messageId, 3);
      assert.equal(parsed.reasonCode, 0x97);
      assert.deepEqual(parsed.properties, { reasonString: 'quota' });
      const short = oracleParse(encodePacket({ type: 'puback', packetId: 4, reasonCode: 0 }, 5), 5);
      assert.ok(short.cmd === 'puback');
      assert.equal(short.reasonCode, 0);
    });
  });
});
