import type { IConnectPacket, IPublishPacket, ISubscribePacket, UserProperties } from 'mqtt-packet';
import type { ConnectPacket, PublishPacket, SubscribePacket, UserProperty } from '../src/protocol';

/**
 * The benchmark packets, each in two shapes that mean the same thing on the wire: ours (`Packet`) and
 * mqtt-packet's (`IPacket`). User properties use distinct names, so mqtt-packet's object form keeps
 * them in the same order as our list of pairs.
 */

/** 30 characters, 4 levels. */
export const TOPIC = 'factory/line-4/press-12/temp01';

/** A 64-byte JSON-ish reading. */
export const PAYLOAD = Buffer.from(
  '{"t":21.5,"h":40.2,"ts":1700000000000,"id":"sensor-0042"}'.padEnd(64, ' ').slice(0, 64),
);

const USER_PROPERTIES: UserProperty[] = [
  ['source', 'sensor-gateway-07'],
  ['trace-id', '4bf92f3577b34da6'],
  ['unit', 'celsius'],
];

function userProperties(count: number): UserProperty[] {
  return USER_PROPERTIES.slice(0, count).map(([k, v]): UserProperty => [k, v]);
}

function peerUserProperties(count: number): UserProperties {
  return Object.fromEntries(userProperties(count));
}

export interface PacketPair<Ours, Peer> {
  ours: Ours;
  peer: Peer;
}

/** QoS 1 PUBLISH; at level 5 with `userPropertyCount` user properties, at level 4 with none. */
export function publishPair(
  level: 4 | 5,
  userPropertyCount: number,
): PacketPair<PublishPacket, IPublishPacket> {
  const ours: PublishPacket = {
    type: 'publish',
    topic: TOPIC,
    payload: PAYLOAD,
    qos: 1,
    retain: false,
    dup: false,
    packetId: 1234,
  };
  const peer: IPublishPacket = {
    cmd: 'publish',
    topic: TOPIC,
    payload: PAYLOAD,
    qos: 1,
    retain: false,
    dup: false,
    messageId: 1234,
  };
  if (level === 5 && userPropertyCount > 0) {
    ours.properties = { userProperties: userProperties(userPropertyCount) };
    peer.properties = { userProperties: peerUserProperties(userPropertyCount) };
  }
  return { ours, peer };
}

const FILTERS = ['factory/line-4/+/temp01', 'factory/line-4/press-12/#', 'alerts/+/critical'] as const;

/** v5 SUBSCRIBE with 3 filters, varied options, and a Subscription Identifier. */
export function subscribePair(): PacketPair<SubscribePacket, ISubscribePacket> {
  return {
    ours: {
      type: 'subscribe',
      packetId: 42,
      subscriptions: [
        { topicFilter: FILTERS[0], qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        { topicFilter: FILTERS[1], qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 1 },
        { topicFilter: FILTERS[2], qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 2 },
      ],
      properties: { subscriptionIdentifier: 7 },
    },
    peer: {
      cmd: 'subscribe',
      messageId: 42,
      subscriptions: [
        { topic: FILTERS[0], qos: 1, nl: false, rap: false, rh: 0 },
        { topic: FILTERS[1], qos: 2, nl: true, rap: true, rh: 1 },
        { topic: FILTERS[2], qos: 0, nl: false, rap: false, rh: 2 },
      ],
      properties: { subscriptionIdentifier: 7 },
    },
  };
}

const WILL_TOPIC = 'factory/line-4/gw-07/status';
const WILL_PAYLOAD = Buffer.from('offline');
const PASSWORD = Buffer.from('correct-horse-battery-staple');

/** v5 CONNECT with connect properties, a will with will properties, username and password. */
export function connectPair(): PacketPair<ConnectPacket, IConnectPacket> {
  return {
    ours: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolLevel: 5,
      clientId: 'sensor-gateway-07',
      cleanStart: true,
      keepAlive: 60,
      username: 'gateway',
      password: PASSWORD,
      properties: { sessionExpiryInterval: 3600, receiveMaximum: 100 },
      will: {
        topic: WILL_TOPIC,
        payload: WILL_PAYLOAD,
        qos: 1,
        retain: true,
        properties: { willDelayInterval: 10, contentType: 'text/plain', userProperties: [['reason', 'lwt']] },
      },
    },
    peer: {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clientId: 'sensor-gateway-07',
      clean: true,
      keepalive: 60,
      username: 'gateway',
      password: PASSWORD,
      properties: { sessionExpiryInterval: 3600, receiveMaximum: 100 },
      will: {
        topic: WILL_TOPIC,
        payload: WILL_PAYLOAD,
        qos: 1,
        retain: true,
        properties: { willDelayInterval: 10, contentType: 'text/plain', userProperties: { reason: 'lwt' } },
      },
    },
  };
}
