import assert from 'node:assert/strict';
import { generate, type Packet as OraclePacket, parser } from 'mqtt-packet';
import { ConnackReturnCode, fromConnackReturnCode, toConnackReturnCode } from '../../src/protocol/connack';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { MqttError } from '../../src/protocol/errors';
import { FrameDecoder } from '../../src/protocol/frame-decoder';
import { ReasonCode, reasonCodesFor } from '../../src/protocol/reason-codes';
import type { ConnackPacket, ProtocolLevel } from '../../src/protocol/types';

/** Bytes from a hex dump: whitespace is ignored and `//` starts a comment that runs to the line end. */
function hex(s: string): Buffer {
  const digits = s.replace(/\/\/.*$/gm, '').replace(/\s+/g, '');
  assert.match(digits, /^(?:[0-9a-f]{2})*$/i, 'a hex dump is pairs of hex digits');
  return Buffer.from(digits, 'hex');
}

function assertMqttError(fn: () => unknown, reasonCode: number): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MqttError, `expected an MqttError, got ${String(err)}`);
    assert.equal(err.reasonCode, reasonCode, `reason code: ${err.message}`);
    return true;
  });
}

function decode(buf: Buffer, level: ProtocolLevel): ConnackPacket {
  const packet = decodePacket(buf, level);
  return packet.type === 'connack' ? packet : assert.fail(`not a CONNACK: ${packet.type}`);
}

/** A decoder at `level` takes the CONNACK split anywhere. */
function assertSplitsDecode(bytes: Buffer, packet: ConnackPacket, level: ProtocolLevel): void {
  for (let i = 1; i < bytes.length; i++) {
    const decoder = new FrameDecoder({ protocolLevel: level });
    const out = [...decoder.push(bytes.subarray(0, i)), ...decoder.push(bytes.subarray(i))];
    assert.deepEqual(out, [packet], `split at ${i}`);
  }
}

function oracleParse(bytes: Buffer, protocolVersion: number): OraclePacket {
  const p = parser({ protocolVersion });
  const out: OraclePacket[] = [];
  p.on('packet', (packet) => out.push(packet));
  p.on('error', (err: unknown) => assert.fail(String(err)));
  p.parse(bytes);
  assert.equal(out.length, 1);
  const [packet] = out;
  assert.ok(packet !== undefined);
  return packet;
}

function connack(sessionPresent: boolean, reasonCode: number): ConnackPacket {
  return { type: 'connack', sessionPresent, reasonCode };
}

// MQTT 5.0, accepted, with properties.
const V5_BYTES = hex(`
  20 1a                 // CONNACK, remaining length 26
  00                    // acknowledge flags: no session present
  00                    // reason code 0x00 Success
  17                    // properties, 23 bytes:
  11 00 00 00 3c          // session expiry interval 60
  12 00 03 69 64 31       // assigned client identifier "id1"
  21 00 64                // receive maximum 100
  24 01                   // maximum QoS 1
  26 00 01 78 00 01 79    // user property "x" = "y"
`);
const V5_PACKET: ConnackPacket = {
  type: 'connack',
  sessionPresent: false,
  reasonCode: 0,
  properties: {
    sessionExpiryInterval: 60,
    assignedClientIdentifier: 'id1',
    receiveMaximum: 100,
    maximumQoS: 1,
    userProperties: [['x', 'y']],
  },
};

describe('CONNACK', () => {
  describe('golden vectors', () => {
    it('encodes and decodes an MQTT 3.1.1 CONNACK with session present', () => {
      // 20 02: CONNACK, remaining length 2; 01: session present; 00: accepted
      const bytes = hex('20 02  01  00');
      assert.deepEqual(encodePacket(connack(true, 0), 4), bytes);
      assert.deepEqual(decode(bytes, 4), connack(true, 0));
    });

    it('encodes and decodes an MQTT 3.1.1 refusal with its return code', () => {
      // 00: no session; 05: not authorized
      const bytes = hex('20 02  00  05');
      assert.deepEqual(encodePacket(connack(false, ConnackReturnCode.NotAuthorized), 4), bytes);
      assert.deepEqual(decode(bytes, 4), connack(false, 5));
    });

    it('encodes and decodes an MQTT 3.1 CONNACK', () => {
      // 00: reserved byte (3.1 has no session present); 02: identifier rejected
      const bytes = hex('20 02  00  02');
      assert.deepEqual(encodePacket(connack(false, ConnackReturnCode.IdentifierRejected), 3), bytes);
      assert.deepEqual(decode(bytes, 3), connack(false, 2));
    });

    it('writes no session present at MQTT 3.1, which has no such flag', () => {
      assert.deepEqual(encodePacket(connack(true, 0), 3), hex('20 02  00  00'));
    });

    it('ignores the unused first byte at MQTT 3.1', () => {
      assert.deepEqual(decode(hex('20 02  ff  00'), 3), connack(false, 0));
    });

    it('encodes an MQTT 5.0 CONNACK with properties', () => {
      assert.deepEqual(encodePacket(V5_PACKET, 5), V5_BYTES);
    });

    it('decodes an MQTT 5.0 CONNACK with properties', () => {
      assert.deepEqual(decode(V5_BYTES, 5), V5_PACKET);
    });

    it('decodes the 5.0 golden CONNACK split at every position', () => {
      assertSplitsDecode(V5_BYTES, V5_PACKET, 5);
      assertSplitsDecode(hex('20 02 01 00'), connack(true, 0), 4);
    });

    it('encodes and decodes an MQTT 5.0 refusal with an empty property list', () => {
      // 00: no session; 87: Not authorized; 00: no properties
      const bytes = hex('20 03  00  87  00');
      assert.deepEqual(encodePacket(connack(false, ReasonCode.NotAuthorized), 5), bytes);
      const packet = decode(bytes, 5);
      assert.deepEqual(packet, connack(false, 0x87));
      assert.equal('properties' in packet, false);
    });

    it('encodes an MQTT 5.0 session-present CONNACK', () => {
      assert.deepEqual(encodePacket(connack(true, 0), 5), hex('20 03  01  00  00'));
    });

    it('writes a 5.0 reason code as its return code at 3.1.1 and 3.1', () => {
      assert.deepEqual(encodePacket(connack(false, ReasonCode.BadUserNameOrPassword), 4), hex('20 02 00 04'));
      assert.deepEqual(
        encodePacket(connack(false, ReasonCode.UnsupportedProtocolVersion), 3),
        hex('20 02 00 01'),
      );
    });

    it('leaves out properties below 5.0', () => {
      assert.deepEqual(encodePacket(V5_PACKET, 4), hex('20 02 00 00'));
    });
  });

  describe('decoding rejects', () => {
    it('reserved acknowledge flags set [MQTT-3.2.2-1]', () => {
      assertMqttError(() => decode(hex('20 02  02  00'), 4), ReasonCode.MalformedPacket);
      assertMqttError(() => decode(hex('20 03  80  00  00'), 5), ReasonCode.MalformedPacket);
    });

    it('a reason code CONNACK may not carry at 5.0 [MQTT-3.2.2-8]', () => {
      // 0x01 is Granted QoS 1, a SUBACK code; 0x8e Session taken over is a DISCONNECT code
      assertMqttError(() => decode(hex('20 03  00  01  00'), 5), ReasonCode.ProtocolError);
      assertMqttError(() => decode(hex('20 03  00  8e  00'), 5), ReasonCode.ProtocolError);
    });

    it('a reserved return code at 3.1.1 and 3.1', () => {
      assertMqttError(() => decode(hex('20 02  00  06'), 4), ReasonCode.ProtocolError);
      assertMqttError(() => decode(hex('20 02  00  80'), 3), ReasonCode.ProtocolError);
    });

    it('session present with a refusal [MQTT-3.2.2-6] (3.1.1: [MQTT-3.2.2-4])', () => {
      assertMqttError(() => decode(hex('20 02  01  05'), 4), ReasonCode.ProtocolError);
      assertMqttError(() => decode(hex('20 03  01  87  00'), 5), ReasonCode.ProtocolError);
    });

    it('a property CONNACK may not carry', () => {
      // properties: 3 bytes, topic alias (0x23) 1, which only PUBLISH carries
      assertMqttError(() => decode(hex('20 06  00 00  03 23 00 01'), 5), ReasonCode.ProtocolError);
    });

    it('a 3.1.1 CONNACK with bytes after the return code', () => {
      assertMqttError(() => decode(hex('20 03  00 00 00'), 4), ReasonCode.MalformedPacket);
    });

    it('a 5.0 CONNACK without its property length', () => {
      assertMqttError(() => decode(hex('20 02  00 00'), 5), ReasonCode.MalformedPacket);
    });
  });

  describe('encoding rejects', () => {
    it('session present with a refusal [MQTT-3.2.2-6]', () => {
      assertMqttError(
        () => encodePacket(connack(true, ReasonCode.NotAuthorized), 5),
        ReasonCode.ProtocolError,
      );
      assertMqttError(
        () => encodePacket(connack(true, ConnackReturnCode.NotAuthorized), 4),
        ReasonCode.ProtocolError,
      );
      assertMqttError(() => encodePacket(connack(true, ReasonCode.ServerBusy), 4), ReasonCode.ProtocolError);
    });

    it('a 3.1.1 return code at 5.0 [MQTT-3.2.2-8]', () => {
      assertMqttError(
        () => encodePacket(connack(false, ConnackReturnCode.NotAuthorized), 5),
        ReasonCode.ProtocolError,
      );
    });

    it('a code that is neither a return code nor a CONNACK reason code at 3.1.1', () => {
      assertMqttError(() => encodePacket(connack(false, 0x10), 4), ReasonCode.ProtocolError);
      assertMqttError(
        () => encodePacket(connack(false, ReasonCode.SessionTakenOver), 4),
        ReasonCode.ProtocolError,
      );
      assertMqttError(() => encodePacket(connack(false, 256), 4), ReasonCode.ProtocolError);
    });
  });

  describe('return code mapping', () => {
    it('maps each 5.0 CONNACK reason code to the closest 3.1.1 return code', () => {
      const expected: [number, number][] = [
        [ReasonCode.Success, ConnackReturnCode.Accepted],
        [ReasonCode.UnsupportedProtocolVersion, ConnackReturnCode.UnacceptableProtocolVersion],
        [ReasonCode.ClientIdentifierNotValid, ConnackReturnCode.IdentifierRejected],
        [ReasonCode.ServerUnavailable, ConnackReturnCode.ServerUnavailable],
        [ReasonCode.ServerBusy, ConnackReturnCode.ServerUnavailable],
        [ReasonCode.BadUserNameOrPassword, ConnackReturnCode.BadUsernameOrPassword],
        [ReasonCode.NotAuthorized, ConnackReturnCode.NotAuthorized],
        [ReasonCode.Banned, ConnackReturnCode.NotAuthorized],
        [ReasonCode.BadAuthenticationMethod, ConnackReturnCode.NotAuthorized],
        [ReasonCode.TopicNameInvalid, ConnackReturnCode.NotAuthorized],
        [ReasonCode.PayloadFormatInvalid, ConnackReturnCode.NotAuthorized],
        [ReasonCode.RetainNotSupported, ConnackReturnCode.NotAuthorized],
        [ReasonCode.QoSNotSupported, ConnackReturnCode.NotAuthorized],
        [ReasonCode.UnspecifiedError, ConnackReturnCode.ServerUnavailable],
        [ReasonCode.MalformedPacket, ConnackReturnCode.ServerUnavailable],
        [ReasonCode.ProtocolError, ConnackReturnCode.ServerUnavailable],
        [ReasonCode.ImplementationSpecificError, ConnackReturnCode.ServerUnavailable],
        [ReasonCode.PacketTooLarge, ConnackReturnCode.ServerUnavailable],
        [ReasonCode.QuotaExceeded, ConnackReturnCode.ServerUnavailable],
        [ReasonCode.UseAnotherServer, ConnackReturnCode.ServerUnavailable],
        [ReasonCode.ServerMoved, ConnackReturnCode.ServerUnavailable],
        [ReasonCode.ConnectionRateExceeded, ConnackReturnCode.ServerUnavailable],
      ];
      assert.deepEqual(
        expected.map(([code]) => code).sort((a, b) => a - b),
        reasonCodesFor('connack'),
        'every CONNACK reason code is covered',
      );
      for (const [code, returnCode] of expected) {
        assert.equal(toConnackReturnCode(code), returnCode, `0x${code.toString(16)}`);
      }
    });

    it('maps each 3.1.1 return code to its 5.0 reason code and back', () => {
      assert.equal(fromConnackReturnCode(0), ReasonCode.Success);
      assert.equal(fromConnackReturnCode(1), ReasonCode.UnsupportedProtocolVersion);
      assert.equal(fromConnackReturnCode(2), ReasonCode.ClientIdentifierNotValid);
      assert.equal(fromConnackReturnCode(3), ReasonCode.ServerUnavailable);
      assert.equal(fromConnackReturnCode(4), ReasonCode.BadUserNameOrPassword);
      assert.equal(fromConnackReturnCode(5), ReasonCode.NotAuthorized);
      for (const rc of Object.values(ConnackReturnCode)) {
        assert.equal(toConnackReturnCode(fromConnackReturnCode(rc)), rc);
      }
    });

    it('maps a reserved return code to Unspecified error', () => {
      assert.equal(fromConnackReturnCode(6), ReasonCode.UnspecifiedError);
      assert.equal(fromConnackReturnCode(255), ReasonCode.UnspecifiedError);
    });
  });

  describe('agrees with mqtt-packet', () => {
    it('reads what mqtt-packet writes', () => {
      const v5 = generate(
        {
          cmd: 'connack',
          sessionPresent: true,
          reasonCode: 0,
          properties: { serverKeepAlive: 30, retainAvailable: false, reasonString: 'ok' },
        },
        { protocolVersion: 5 },
      );
      assert.deepEqual(decode(v5, 5), {
        type: 'connack',
        sessionPresent: true,
        reasonCode: 0,
        properties: { serverKeepAlive: 30, retainAvailable: false, reasonString: 'ok' },
      });
      const v4 = generate({ cmd: 'connack', sessionPresent: false, returnCode: 4 }, { protocolVersion: 4 });
      assert.deepEqual(decode(v4, 4), connack(false, ConnackReturnCode.BadUsernameOrPassword));
    });

    it('writes what mqtt-packet reads', () => {
      const v5 = oracleParse(encodePacket(V5_PACKET, 5), 5);
      assert.ok(v5.cmd === 'connack');
      assert.equal(v5.sessionPresent, false);
      assert.equal(v5.reasonCode, 0);
      // mqtt-packet gives user properties as null-prototype objects; structuredClone makes them plain.
      assert.deepEqual(structuredClone(v5.properties), {
        sessionExpiryInterval: 60,
        assignedClientIdentifier: 'id1',
        receiveMaximum: 100,
        maximumQoS: 1,
        userProperties: { x: 'y' },
      });
      const v4 = oracleParse(encodePacket(connack(false, ReasonCode.Banned), 4), 4);
      assert.ok(v4.cmd === 'connack');
      assert.equal(v4.returnCode, ConnackReturnCode.NotAuthorized);
    });
  });
});
