import assert from 'node:assert/strict';
import { generate, type Packet as OraclePacket, parser } from 'mqtt-packet';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { MqttError } from '../../src/protocol/errors';
import { FrameDecoder } from '../../src/protocol/frame-decoder';
import { ReasonCode } from '../../src/protocol/reason-codes';
import type { ConnectPacket, ProtocolLevel, Will } from '../../src/protocol/types';

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

/** A CONNECT decodes the same whatever level the connection was at before it. */
function decode(buf: Buffer): ConnectPacket {
  const packet = decodePacket(buf, 4);
  assert.equal(packet.type, 'connect');
  return packet.type === 'connect' ? packet : assert.fail('not a CONNECT');
}

// MQTT 3.1: MQIsdp level 3, clean session, keep alive 30, client id "c1".
const V3_BYTES = hex(`
  10 10                    // CONNECT, remaining length 16
  00 06 4d 51 49 73 64 70  // protocol name "MQIsdp"
  03                       // protocol level 3
  02                       // flags: clean session
  00 1e                    // keep alive 30
  00 02 63 31              // client id "c1"
`);
const V3_PACKET: ConnectPacket = {
  type: 'connect',
  protocolName: 'MQIsdp',
  protocolLevel: 3,
  clientId: 'c1',
  cleanStart: true,
  keepAlive: 30,
};

// MQTT 3.1.1 with a retained QoS 1 will, user name and password.
const V4_BYTES = hex(`
  10 1e                 // CONNECT, remaining length 30
  00 04 4d 51 54 54     // protocol name "MQTT"
  04                    // protocol level 4
  ee                    // flags: user name 80 | password 40 | will retain 20 | will QoS 1 08 | will 04 | clean 02
  00 3c                 // keep alive 60
  00 02 63 31           // client id "c1"
  00 03 77 2f 74        // will topic "w/t"
  00 03 62 79 65        // will payload "bye"
  00 01 75              // user name "u"
  00 01 70              // password "p"
`);
const V4_PACKET: ConnectPacket = {
  type: 'connect',
  protocolName: 'MQTT',
  protocolLevel: 4,
  clientId: 'c1',
  cleanStart: true,
  keepAlive: 60,
  username: 'u',
  password: Buffer.from('p'),
  will: { topic: 'w/t', payload: Buffer.from('bye'), qos: 1, retain: true },
};

// MQTT 5.0 with properties, a QoS 2 will with will properties, user properties, user name and password.
const V5_BYTES = hex(`
  10 44                 // CONNECT, remaining length 68
  00 04 4d 51 54 54     // protocol name "MQTT"
  05                    // protocol level 5
  d4                    // flags: user name 80 | password 40 | will QoS 2 10 | will 04 (clean start 0)
  00 0a                 // keep alive 10
  0f                    // properties, 15 bytes:
  11 00 00 00 78          // session expiry interval 120
  21 00 14                // receive maximum 20
  26 00 01 61 00 01 62    // user property "a" = "b"
  00 02 63 31           // client id "c1"
  15                    // will properties, 21 bytes:
  01 01                   // payload format indicator 1
  03 00 04 74 65 78 74    // content type "text"
  18 00 00 00 05          // will delay interval 5
  26 00 01 6b 00 01 76    // user property "k" = "v"
  00 03 77 2f 74        // will topic "w/t"
  00 03 62 79 65        // will payload "bye"
  00 01 75              // user name "u"
  00 01 70              // password "p"
`);
const V5_PACKET: ConnectPacket = {
  type: 'connect',
  protocolName: 'MQTT',
  protocolLevel: 5,
  clientId: 'c1',
  cleanStart: false,
  keepAlive: 10,
  username: 'u',
  password: Buffer.from('p'),
  will: {
    topic: 'w/t',
    payload: Buffer.from('bye'),
    qos: 2,
    retain: false,
    properties: {
      payloadFormatIndicator: true,
      contentType: 'text',
      willDelayInterval: 5,
      userProperties: [['k', 'v']],
    },
  },
  properties: { sessionExpiryInterval: 120, receiveMaximum: 20, userProperties: [['a', 'b']] },
};

/**
 * A minimal CONNECT with the given header fields and raw payload bytes: name, level, flags,
 * keep alive 0, an empty property list at level 5, then `payload`.
 */
function rawConnect(name: string, level: number, flags: number, payload: string): Buffer {
  const nameBytes = Buffer.from(name);
  const body = Buffer.concat([
    Buffer.from([0, nameBytes.length]),
    nameBytes,
    Buffer.from([level, flags, 0, 0]),
    level === 5 ? Buffer.from([0]) : Buffer.alloc(0),
    hex(payload),
  ]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

/** A fresh connection's decoder takes the CONNECT split anywhere, and learns its level from it. */
function assertSplitsDecode(bytes: Buffer, packet: ConnectPacket): void {
  for (let i = 1; i < bytes.length; i++) {
    const decoder = new FrameDecoder();
    const out = [...decoder.push(bytes.subarray(0, i)), ...decoder.push(bytes.subarray(i))];
    assert.deepEqual(out, [packet], `split at ${i}`);
    assert.equal(decoder.protocolLevel, packet.protocolLevel);
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

function base(level: ProtocolLevel): ConnectPacket {
  return {
    type: 'connect',
    protocolName: level === 3 ? 'MQIsdp' : 'MQTT',
    protocolLevel: level,
    clientId: 'c1',
    cleanStart: true,
    keepAlive: 0,
  };
}

describe('CONNECT', () => {
  describe('golden vectors', () => {
    it('encodes an MQTT 3.1 CONNECT with the MQIsdp name', () => {
      assert.deepEqual(encodePacket(V3_PACKET, 3), V3_BYTES);
    });

    it('decodes an MQTT 3.1 CONNECT', () => {
      assert.deepEqual(decode(V3_BYTES), V3_PACKET);
    });

    it('encodes an MQTT 3.1.1 CONNECT with a will, user name and password', () => {
      assert.deepEqual(encodePacket(V4_PACKET, 4), V4_BYTES);
    });

    it('decodes an MQTT 3.1.1 CONNECT with a will, user name and password', () => {
      assert.deepEqual(decode(V4_BYTES), V4_PACKET);
    });

    it('encodes an MQTT 5.0 CONNECT with properties, will properties and credentials', () => {
      assert.deepEqual(encodePacket(V5_PACKET, 5), V5_BYTES);
    });

    it('decodes an MQTT 5.0 CONNECT with properties, will properties and credentials', () => {
      assert.deepEqual(decode(V5_BYTES), V5_PACKET);
    });

    it('decodes each golden CONNECT split at every position', () => {
      assertSplitsDecode(V3_BYTES, V3_PACKET);
      assertSplitsDecode(V4_BYTES, V4_PACKET);
      assertSplitsDecode(V5_BYTES, V5_PACKET);
    });

    it('encodes at the packet’s own level, whatever level it is asked for', () => {
      assert.deepEqual(encodePacket(V5_PACKET, 4), V5_BYTES);
      assert.deepEqual(encodePacket(V4_PACKET, 5), V4_BYTES);
      assert.deepEqual(encodePacket(V3_PACKET, 5), V3_BYTES);
    });

    it('decodes at the packet’s own level, whatever level the connection is at', () => {
      assert.deepEqual(decodePacket(V5_BYTES, 3), V5_PACKET);
      assert.deepEqual(decodePacket(V3_BYTES, 5), V3_PACKET);
    });

    it('leaves out the fields that are absent instead of setting them to undefined', () => {
      const packet = decode(V3_BYTES);
      assert.deepEqual(Object.keys(packet).sort(), [
        'cleanStart',
        'clientId',
        'keepAlive',
        'protocolLevel',
        'protocolName',
        'type',
      ]);
      const v5 = decode(rawConnect('MQTT', 5, 0x04, '00 02 63 31  00  00 01 74  00 00'));
      assert.deepEqual(Object.keys(v5.will ?? {}).sort(), ['payload', 'qos', 'retain', 'topic']);
      assert.equal('properties' in v5, false);
    });

    it('returns the will payload and password as slices of the packet buffer', () => {
      const packet = decode(V4_BYTES);
      assert.equal(packet.will?.payload.buffer, V4_BYTES.buffer);
      assert.equal(packet.password?.buffer, V4_BYTES.buffer);
    });

    it('encodes and decodes an empty client id and a zero-length will payload', () => {
      const packet: ConnectPacket = {
        ...base(4),
        clientId: '',
        will: { topic: 't', payload: Buffer.alloc(0), qos: 0, retain: false },
      };
      const bytes = hex(`
        10 11                 // CONNECT, remaining length 17
        00 04 4d 51 54 54 04  // "MQTT" level 4
        06                    // flags: will 04 | clean 02
        00 00                 // keep alive 0
        00 00                 // client id ""
        00 01 74              // will topic "t"
        00 00                 // will payload, empty
      `);
      assert.deepEqual(encodePacket(packet, 4), bytes);
      assert.deepEqual(decode(bytes), packet);
    });

    it('accepts a password without a user name at MQTT 5.0', () => {
      const packet: ConnectPacket = { ...base(5), password: Buffer.from('pw') };
      const bytes = hex(`
        10 13                 // CONNECT, remaining length 19
        00 04 4d 51 54 54 05  // "MQTT" level 5
        42                    // flags: password 40 | clean 02
        00 00                 // keep alive 0
        00                    // no properties
        00 02 63 31           // client id "c1"
        00 02 70 77           // password "pw"
      `);
      assert.deepEqual(encodePacket(packet, 5), bytes);
      assert.deepEqual(decode(bytes), packet);
    });
  });

  describe('decoding rejects', () => {
    it('a protocol name other than MQTT or MQIsdp, as a protocol error [MQTT-3.1.2-1]', () => {
      assertMqttError(() => decode(rawConnect('MQTX', 4, 0x02, '00 00')), ReasonCode.ProtocolError);
    });

    it('a protocol level the name does not go with, as unsupported version [MQTT-3.1.2-2]', () => {
      assertMqttError(
        () => decode(rawConnect('MQTT', 3, 0x02, '00 00')),
        ReasonCode.UnsupportedProtocolVersion,
      );
      assertMqttError(
        () => decode(rawConnect('MQTT', 6, 0x02, '00 00')),
        ReasonCode.UnsupportedProtocolVersion,
      );
      assertMqttError(
        () => decode(rawConnect('MQIsdp', 4, 0x02, '00 00')),
        ReasonCode.UnsupportedProtocolVersion,
      );
    });

    it('the reserved connect flag set [MQTT-3.1.2-3]', () => {
      assertMqttError(() => decode(rawConnect('MQTT', 4, 0x03, '00 00')), ReasonCode.MalformedPacket);
      assertMqttError(() => decode(rawConnect('MQTT', 5, 0x03, '00 00')), ReasonCode.MalformedPacket);
    });

    it('a will QoS without the will flag [MQTT-3.1.2-11]', () => {
      assertMqttError(() => decode(rawConnect('MQTT', 4, 0x0a, '00 00')), ReasonCode.MalformedPacket);
      assertMqttError(() => decode(rawConnect('MQTT', 5, 0x12, '00 00')), ReasonCode.MalformedPacket);
    });

    it('will retain without the will flag [MQTT-3.1.2-13]', () => {
      assertMqttError(() => decode(rawConnect('MQTT', 4, 0x22, '00 00')), ReasonCode.MalformedPacket);
      assertMqttError(() => decode(rawConnect('MQTT', 5, 0x22, '00 00')), ReasonCode.MalformedPacket);
    });

    it('a will QoS of 3 [MQTT-3.1.2-12]', () => {
      const payload = '00 00  00 01 74  00 00';
      assertMqttError(() => decode(rawConnect('MQTT', 4, 0x1e, payload)), ReasonCode.MalformedPacket);
    });

    it('a password without a user name at MQTT 3.1.1 and 3.1 [MQTT-3.1.2-22]', () => {
      assertMqttError(
        () => decode(rawConnect('MQTT', 4, 0x42, '00 00  00 01 70')),
        ReasonCode.MalformedPacket,
      );
      assertMqttError(
        () => decode(rawConnect('MQIsdp', 3, 0x42, '00 00  00 01 70')),
        ReasonCode.MalformedPacket,
      );
    });

    it('a will topic with a wildcard, as topic name invalid [MQTT-4.7.0-1]', () => {
      // client id "", will topic "a/+", will payload ""
      assertMqttError(
        () => decode(rawConnect('MQTT', 4, 0x06, '00 00  00 03 61 2f 2b  00 00')),
        ReasonCode.TopicNameInvalid,
      );
      // at level 5 with empty will properties, will topic "#"
      assertMqttError(
        () => decode(rawConnect('MQTT', 5, 0x06, '00 00  00  00 01 23  00 00')),
        ReasonCode.TopicNameInvalid,
      );
    });

    it('an empty will topic, as topic name invalid [MQTT-4.7.3-1]', () => {
      assertMqttError(
        () => decode(rawConnect('MQTT', 4, 0x06, '00 00  00 00  00 00')),
        ReasonCode.TopicNameInvalid,
      );
    });

    it('a property CONNECT may not carry, as a protocol error', () => {
      // properties: 2 bytes, maximum QoS (0x24) 1, which only CONNACK carries
      const bytes = hex('10 0f  00 04 4d 51 54 54 05 02 00 00  02 24 01  00 00');
      assertMqttError(() => decode(bytes), ReasonCode.ProtocolError);
    });

    it('a will property list with a property only CONNECT itself may carry', () => {
      // will properties: 5 bytes, session expiry interval (0x11), which is not a will property
      const payload = '00 00  05 11 00 00 00 01  00 01 74  00 00';
      assertMqttError(() => decode(rawConnect('MQTT', 5, 0x06, payload)), ReasonCode.ProtocolError);
    });

    it('authentication data without an authentication method (spec 3.1.2.11.10)', () => {
      // properties: 4 bytes, authentication data (0x16) of 1 byte
      const bytes = hex('10 11  00 04 4d 51 54 54 05 02 00 00  04 16 00 01 ff  00 00');
      assertMqttError(() => decode(bytes), ReasonCode.ProtocolError);
    });

    it('a CONNECT that ends inside its payload', () => {
      // user name flag set, no user name follows
      assertMqttError(() => decode(rawConnect('MQTT', 4, 0x82, '00 00')), ReasonCode.MalformedPacket);
    });

    it('bytes after the last field', () => {
      assertMqttError(() => decode(rawConnect('MQTT', 4, 0x02, '00 00 ff')), ReasonCode.MalformedPacket);
    });
  });

  describe('encoding rejects', () => {
    it('a keep alive outside 0..65535', () => {
      for (const keepAlive of [-1, 65536, 1.5]) {
        assertMqttError(() => encodePacket({ ...base(4), keepAlive }, 4), ReasonCode.MalformedPacket);
      }
    });

    it('a will QoS of 3 [MQTT-3.1.2-12]', () => {
      const will: Will = { topic: 't', payload: Buffer.alloc(0), qos: 0, retain: false };
      Reflect.set(will, 'qos', 3);
      assertMqttError(() => encodePacket({ ...base(5), will }, 5), ReasonCode.MalformedPacket);
    });

    it('a password without a user name below MQTT 5.0 [MQTT-3.1.2-22]', () => {
      const password = Buffer.from('p');
      assertMqttError(() => encodePacket({ ...base(4), password }, 4), ReasonCode.MalformedPacket);
      assertMqttError(() => encodePacket({ ...base(3), password }, 3), ReasonCode.MalformedPacket);
    });

    it('a will topic with a wildcard or none at all', () => {
      for (const topic of ['a/#', '+', '']) {
        const will: Will = { topic, payload: Buffer.alloc(0), qos: 0, retain: false };
        assertMqttError(() => encodePacket({ ...base(4), will }, 4), ReasonCode.TopicNameInvalid);
      }
    });

    it('a client id that is not a string', () => {
      const packet = base(4);
      Reflect.set(packet, 'clientId', 42);
      assertMqttError(() => encodePacket(packet, 4), ReasonCode.MalformedPacket);
    });

    it('a protocol name that does not go with the level', () => {
      assertMqttError(
        () => encodePacket({ ...base(4), protocolName: 'MQIsdp' }, 4),
        ReasonCode.ProtocolError,
      );
      assertMqttError(() => encodePacket({ ...base(3), protocolName: 'MQTT' }, 3), ReasonCode.ProtocolError);
    });

    it('a protocol level the codec does not speak', () => {
      const packet = base(4);
      Reflect.set(packet, 'protocolLevel', 6);
      assertMqttError(() => encodePacket(packet, 4), ReasonCode.UnsupportedProtocolVersion);
    });

    it('authentication data without an authentication method', () => {
      const packet: ConnectPacket = { ...base(5), properties: { authenticationData: Buffer.from([1]) } };
      assertMqttError(() => encodePacket(packet, 5), ReasonCode.ProtocolError);
    });

    it('a will payload longer than 65,535 bytes', () => {
      const will: Will = { topic: 't', payload: Buffer.alloc(0x10000), qos: 0, retain: false };
      assertMqttError(() => encodePacket({ ...base(4), will }, 4), ReasonCode.MalformedPacket);
    });
  });

  it('leaves out 5.0 properties at 3.1.1, so one packet object serves every level', () => {
    const packet: ConnectPacket = { ...V4_PACKET, properties: { sessionExpiryInterval: 10 } };
    assert.deepEqual(encodePacket(packet, 4), V4_BYTES);
  });

  describe('agrees with mqtt-packet', () => {
    it('reads what mqtt-packet writes', () => {
      const bytes = generate(
        {
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 5,
          clientId: 'oracle',
          clean: true,
          keepalive: 300,
          username: 'user',
          password: Buffer.from('secret'),
          properties: { topicAliasMaximum: 8, requestProblemInformation: false, userProperties: { a: 'b' } },
          will: {
            topic: 'last/will',
            payload: Buffer.from('gone'),
            qos: 1,
            retain: true,
            properties: { messageExpiryInterval: 30, responseTopic: 'r/t' },
          },
        },
        { protocolVersion: 5 },
      );
      assert.deepEqual(decode(bytes), {
        type: 'connect',
        protocolName: 'MQTT',
        protocolLevel: 5,
        clientId: 'oracle',
        cleanStart: true,
        keepAlive: 300,
        username: 'user',
        password: Buffer.from('secret'),
        properties: { topicAliasMaximum: 8, requestProblemInformation: false, userProperties: [['a', 'b']] },
        will: {
          topic: 'last/will',
          payload: Buffer.from('gone'),
          qos: 1,
          retain: true,
          properties: { messageExpiryInterval: 30, responseTopic: 'r/t' },
        },
      });
    });

    it('writes what mqtt-packet reads', () => {
      const parsed = oracleParse(encodePacket(V5_PACKET, 5), 5);
      assert.ok(parsed.cmd === 'connect');
      assert.equal(parsed.protocolVersion, 5);
      assert.equal(parsed.clientId, 'c1');
      assert.equal(parsed.clean, false);
      assert.equal(parsed.keepalive, 10);
      assert.equal(parsed.username, 'u');
      assert.deepEqual(parsed.password, Buffer.from('p'));
      // mqtt-packet gives user properties as null-prototype objects; structuredClone makes them plain.
      assert.deepEqual(structuredClone(parsed.properties), {
        sessionExpiryInterval: 120,
        receiveMaximum: 20,
        userProperties: { a: 'b' },
      });
      assert.equal(parsed.will?.topic, 'w/t');
      assert.deepEqual(parsed.will?.payload, Buffer.from('bye'));
      assert.equal(parsed.will?.qos, 2);
      assert.deepEqual(structuredClone(parsed.will?.properties), {
        payloadFormatIndicator: true,
        contentType: 'text',
        willDelayInterval: 5,
        userProperties: { k: 'v' },
      });
      const v3 = oracleParse(encodePacket(V3_PACKET, 3), 3);
      assert.ok(v3.cmd === 'connect');
      assert.equal(v3.protocolId, 'MQIsdp');
      assert.equal(v3.protocolVersion, 3);
    });
  });
});
