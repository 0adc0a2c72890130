import type { Packet, ProtocolLevel } from '../../src/protocol/types';

/**
 * A fixed set of valid packets: at least one of every type at levels 4 and 5, and CONNECT and
 * CONNACK at level 3 (MQTT 3.1). The stream tests encode them with our encoder, check each encoding
 * once against mqtt-packet, and feed them to the frame decoder cut up in every way.
 */
export interface GoldenPacket {
  readonly name: string;
  readonly level: ProtocolLevel;
  readonly packet: Packet;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

export const GOLDEN: readonly GoldenPacket[] = [
  // ---- MQTT 3.1 (level 3)
  {
    name: 'CONNECT 3.1 with will, user name and password',
    level: 3,
    packet: {
      type: 'connect',
      protocolName: 'MQIsdp',
      protocolLevel: 3,
      clientId: 'client-31',
      cleanStart: true,
      keepAlive: 60,
      username: 'user',
      password: bytes('secret'),
      will: { topic: 'clients/31/status', payload: bytes('gone'), qos: 1, retain: true },
    },
  },
  {
    name: 'CONNACK 3.1 accepted',
    level: 3,
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0 },
  },
  {
    name: 'CONNACK 3.1 identifier rejected',
    level: 3,
    packet: { type: 'connack', sessionPresent: false, reasonCode: 2 },
  },

  // ---- MQTT 3.1.1 (level 4)
  {
    name: 'CONNECT 3.1.1 minimal, empty client id',
    level: 4,
    packet: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolLevel: 4,
      clientId: '',
      cleanStart: true,
      keepAlive: 0,
    },
  },
  {
    name: 'CONNECT 3.1.1 with will QoS 2 and credentials',
    level: 4,
    packet: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolLevel: 4,
      clientId: 'cl\u00e9',
      cleanStart: false,
      keepAlive: 65535,
      username: '',
      password: Buffer.alloc(0),
      will: { topic: 'w/\u{1f600}', payload: Buffer.from([0, 1, 2, 255]), qos: 2, retain: false },
    },
  },
  {
    name: 'CONNACK 3.1.1 session present',
    level: 4,
    packet: { type: 'connack', sessionPresent: true, reasonCode: 0 },
  },
  {
    name: 'CONNACK 3.1.1 not authorized',
    level: 4,
    packet: { type: 'connack', sessionPresent: false, reasonCode: 5 },
  },
  {
    name: 'PUBLISH 3.1.1 QoS 0',
    level: 4,
    packet: { type: 'publish', topic: 'a/b', payload: bytes('hello'), qos: 0, retain: false, dup: false },
  },
  {
    name: 'PUBLISH 3.1.1 QoS 1 retained, empty payload',
    level: 4,
    packet: {
      type: 'publish',
      topic: '$SYS/x',
      payload: Buffer.alloc(0),
      qos: 1,
      retain: true,
      dup: false,
      packetId: 1,
    },
  },
  {
    name: 'PUBLISH 3.1.1 QoS 2 DUP, 300-byte payload (2-byte Remaining Length)',
    level: 4,
    packet: {
      type: 'publish',
      topic: 't',
      payload: Buffer.alloc(300, 0xab),
      qos: 2,
      retain: false,
      dup: true,
      packetId: 65535,
    },
  },
  { name: 'PUBACK 3.1.1', level: 4, packet: { type: 'puback', packetId: 7, reasonCode: 0 } },
  { name: 'PUBREC 3.1.1', level: 4, packet: { type: 'pubrec', packetId: 8, reasonCode: 0 } },
  { name: 'PUBREL 3.1.1', level: 4, packet: { type: 'pubrel', packetId: 9, reasonCode: 0 } },
  { name: 'PUBCOMP 3.1.1', level: 4, packet: { type: 'pubcomp', packetId: 10, reasonCode: 0 } },
  {
    name: 'SUBSCRIBE 3.1.1 two filters',
    level: 4,
    packet: {
      type: 'subscribe',
      packetId: 11,
      subscriptions: [
        { topicFilter: 'a/+/c', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        { topicFilter: '#', qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    },
  },
  { name: 'SUBACK 3.1.1', level: 4, packet: { type: 'suback', packetId: 11, reasonCodes: [1, 0x80] } },
  {
    name: 'UNSUBSCRIBE 3.1.1',
    level: 4,
    packet: { type: 'unsubscribe', packetId: 12, topicFilters: ['a/+/c', '#'] },
  },
  { name: 'UNSUBACK 3.1.1', level: 4, packet: { type: 'unsuback', packetId: 12, reasonCodes: [] } },
  { name: 'PINGREQ 3.1.1', level: 4, packet: { type: 'pingreq' } },
  { name: 'PINGRESP 3.1.1', level: 4, packet: { type: 'pingresp' } },
  { name: 'DISCONNECT 3.1.1', level: 4, packet: { type: 'disconnect', reasonCode: 0 } },

  // ---- MQTT 5.0 (level 5)
  {
    name: 'CONNECT 5.0 with properties, will properties and authentication',
    level: 5,
    packet: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolLevel: 5,
      clientId: 'client-5',
      cleanStart: true,
      keepAlive: 30,
      username: 'u',
      password: bytes('p'),
      will: {
        topic: 'clients/5/will',
        payload: bytes('bye'),
        qos: 1,
        retain: true,
        properties: {
          willDelayInterval: 10,
          payloadFormatIndicator: true,
          messageExpiryInterval: 3600,
          contentType: 'text/plain',
          responseTopic: 'reply/here',
          correlationData: Buffer.from([1, 2, 3]),
          userProperties: [
            ['a', '1'],
            ['b', '2'],
            ['a', '3'],
          ],
        },
      },
      properties: {
        sessionExpiryInterval: 0xffffffff,
        receiveMaximum: 20,
        maximumPacketSize: 1048576,
        topicAliasMaximum: 10,
        requestResponseInformation: true,
        requestProblemInformation: false,
        userProperties: [['k', 'v']],
        authenticationMethod: 'SCRAM-SHA-1',
        authenticationData: bytes('client-first'),
      },
    },
  },
  {
    name: 'CONNECT 5.0 password without user name',
    level: 5,
    packet: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolLevel: 5,
      clientId: '',
      cleanStart: false,
      keepAlive: 5,
      password: bytes('token'),
    },
  },
  {
    name: 'CONNACK 5.0 with every server property',
    level: 5,
    packet: {
      type: 'connack',
      sessionPresent: true,
      reasonCode: 0,
      properties: {
        sessionExpiryInterval: 120,
        receiveMaximum: 100,
        maximumQoS: 1,
        retainAvailable: false,
        maximumPacketSize: 65536,
        assignedClientIdentifier: 'auto-1',
        topicAliasMaximum: 5,
        reasonString: 'welcome',
        userProperties: [
          ['z', '1'],
          ['y', '2'],
        ],
        wildcardSubscriptionAvailable: true,
        subscriptionIdentifiersAvailable: true,
        sharedSubscriptionAvailable: false,
        serverKeepAlive: 45,
        responseInformation: 'resp/',
        serverReference: 'other:1883',
        authenticationMethod: 'SCRAM-SHA-1',
        authenticationData: bytes('server-final'),
      },
    },
  },
  {
    name: 'CONNACK 5.0 refused',
    level: 5,
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0x87 },
  },
  {
    name: 'PUBLISH 5.0 QoS 1 with properties',
    level: 5,
    packet: {
      type: 'publish',
      topic: 'sensors/\u00e9t\u00e9/temp',
      payload: bytes('{"t":21.5}'),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 42,
      properties: {
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
        topicAlias: 3,
        responseTopic: 'reply/1',
        correlationData: Buffer.from([0xde, 0xad]),
        userProperties: [
          ['x', '1'],
          ['x', '1'],
          ['', ''],
        ],
        subscriptionIdentifiers: [1, 268435455],
        contentType: 'application/json',
      },
    },
  },
  {
    name: 'PUBLISH 5.0 QoS 0 with an aliased empty topic',
    level: 5,
    packet: {
      type: 'publish',
      topic: '',
      payload: bytes('x'),
      qos: 0,
      retain: true,
      dup: false,
      properties: { topicAlias: 3 },
    },
  },
  {
    name: 'PUBLISH 5.0 QoS 2, 20000-byte payload (3-byte Remaining Length)',
    level: 5,
    packet: {
      type: 'publish',
      topic: 'big',
      payload: Buffer.alloc(20000, 0x5a),
      qos: 2,
      retain: false,
      dup: true,
      packetId: 2,
    },
  },
  {
    name: 'PUBACK 5.0 success, shortest form',
    level: 5,
    packet: { type: 'puback', packetId: 1, reasonCode: 0 },
  },
  {
    name: 'PUBACK 5.0 no matching subscribers with reason string',
    level: 5,
    packet: { type: 'puback', packetId: 2, reasonCode: 0x10, properties: { reasonString: 'nobody' } },
  },
  { name: 'PUBREC 5.0 quota exceeded', level: 5, packet: { type: 'pubrec', packetId: 3, reasonCode: 0x97 } },
  {
    name: 'PUBREL 5.0 packet identifier not found',
    level: 5,
    packet: { type: 'pubrel', packetId: 4, reasonCode: 0x92, properties: { userProperties: [['k', 'v']] } },
  },
  { name: 'PUBCOMP 5.0', level: 5, packet: { type: 'pubcomp', packetId: 5, reasonCode: 0 } },
  {
    name: 'SUBSCRIBE 5.0 with options and a subscription identifier',
    level: 5,
    packet: {
      type: 'subscribe',
      packetId: 6,
      subscriptions: [
        { topicFilter: 'a/#', qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 2 },
        { topicFilter: '$share/g/b/+', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 1 },
      ],
      properties: { subscriptionIdentifier: 16384, userProperties: [['s', 't']] },
    },
  },
  {
    name: 'SUBACK 5.0 mixed codes',
    level: 5,
    packet: {
      type: 'suback',
      packetId: 6,
      reasonCodes: [2, 0x9e],
      properties: { reasonString: 'no shares' },
    },
  },
  {
    name: 'UNSUBSCRIBE 5.0',
    level: 5,
    packet: {
      type: 'unsubscribe',
      packetId: 7,
      topicFilters: ['a/#', '$share/g/b/+'],
      properties: { userProperties: [['u', 'v']] },
    },
  },
  { name: 'UNSUBACK 5.0', level: 5, packet: { type: 'unsuback', packetId: 7, reasonCodes: [0, 0x11] } },
  { name: 'PINGREQ 5.0', level: 5, packet: { type: 'pingreq' } },
  { name: 'PINGRESP 5.0', level: 5, packet: { type: 'pingresp' } },
  { name: 'DISCONNECT 5.0 normal, empty body', level: 5, packet: { type: 'disconnect', reasonCode: 0 } },
  {
    name: 'DISCONNECT 5.0 with will message and properties',
    level: 5,
    packet: {
      type: 'disconnect',
      reasonCode: 0x04,
      properties: { sessionExpiryInterval: 0, reasonString: 'bye', serverReference: 'elsewhere' },
    },
  },
  { name: 'DISCONNECT 5.0 reason code only', level: 5, packet: { type: 'disconnect', reasonCode: 0x8e } },
  {
    name: 'AUTH 5.0 continue',
    level: 5,
    packet: {
      type: 'auth',
      reasonCode: 0x18,
      properties: { authenticationMethod: 'SCRAM-SHA-1', authenticationData: bytes('server-first') },
    },
  },
  { name: 'AUTH 5.0 success, empty body', level: 5, packet: { type: 'auth', reasonCode: 0 } },
];

/** The golden packets of one level. */
export function goldenAt(level: ProtocolLevel): GoldenPacket[] {
  return GOLDEN.filter((g) => g.level === level);
}
