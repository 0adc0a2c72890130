import assert from 'node:assert/strict';
import type {
  IConnectPacket,
  IPublishPacket,
  ISubscribePacket,
  Packet as PeerPacket,
  UserProperties,
} from 'mqtt-packet';
import type { ConnectPacket, Packet, PublishPacket, SubscribePacket } from '../src/protocol';
import { decodePacket, encodePacket } from '../src/protocol';
import type { PacketPair } from './fixtures';
import { type PeerVersion, peerEncode, peerParseOne } from './peer';

/**
 * Correctness checks run once before timing, both ways: our decoder reads mqtt-packet's bytes, and
 * mqtt-packet parses ours. A benchmark of a codec that gets the packet wrong would be meaningless.
 * Each check throws an `AssertionError` on a mismatch and returns whether both encodings are
 * byte-identical (informational: property order may legitimately differ).
 */

function expectOurs<T extends Packet['type']>(p: Packet, type: T): Extract<Packet, { type: T }> {
  assert.equal(p.type, type, `our decoder returned ${p.type}, expected ${type}`);
  return p as Extract<Packet, { type: T }>;
}

function expectPeer<T extends PeerPacket['cmd']>(p: PeerPacket, cmd: T): Extract<PeerPacket, { cmd: T }> {
  assert.equal(p.cmd, cmd, `mqtt-packet returned ${p.cmd}, expected ${cmd}`);
  return p as Extract<PeerPacket, { cmd: T }>;
}

/**
 * mqtt-packet's parser builds user properties on a null-prototype object; copy property objects onto
 * plain ones so that a strict deep comparison looks only at the entries.
 */
function plain<T extends { userProperties?: UserProperties }>(props: T | undefined): T | undefined {
  if (props === undefined) return undefined;
  const copy = { ...props };
  if (props.userProperties !== undefined) copy.userProperties = { ...props.userProperties };
  return copy;
}

function asBuffer(value: string | Buffer | undefined): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : (value ?? Buffer.alloc(0));
}

export function checkPublish(pair: PacketPair<PublishPacket, IPublishPacket>, level: PeerVersion): boolean {
  const theirBytes = peerEncode(pair.peer, level);
  const ours = expectOurs(decodePacket(theirBytes, level), 'publish');
  assert.equal(ours.topic, pair.ours.topic, 'topic');
  assert.deepEqual(ours.payload, pair.ours.payload, 'payload');
  assert.equal(ours.qos, pair.ours.qos, 'qos');
  assert.equal(ours.packetId, pair.ours.packetId, 'packet id');
  assert.deepEqual(ours.properties?.userProperties, pair.ours.properties?.userProperties, 'user properties');

  const ourBytes = encodePacket(pair.ours, level);
  const peer = expectPeer(peerParseOne(ourBytes, level), 'publish');
  assert.equal(peer.topic, pair.peer.topic, 'mqtt-packet topic');
  assert.deepEqual(asBuffer(peer.payload), asBuffer(pair.peer.payload), 'mqtt-packet payload');
  assert.equal(peer.messageId, pair.peer.messageId, 'mqtt-packet message id');
  assert.deepEqual(plain(peer.properties), plain(pair.peer.properties), 'mqtt-packet properties');
  return ourBytes.equals(theirBytes);
}

export function checkSubscribe(pair: PacketPair<SubscribePacket, ISubscribePacket>): boolean {
  const theirBytes = peerEncode(pair.peer, 5);
  const ours = expectOurs(decodePacket(theirBytes, 5), 'subscribe');
  assert.deepEqual(ours.subscriptions, pair.ours.subscriptions, 'subscriptions');
  assert.equal(ours.packetId, pair.ours.packetId, 'packet id');
  assert.equal(ours.properties?.subscriptionIdentifier, 7, 'subscription identifier');

  const ourBytes = encodePacket(pair.ours, 5);
  const peer = expectPeer(peerParseOne(ourBytes, 5), 'subscribe');
  assert.deepEqual(
    peer.subscriptions.map((s) => [s.topic, s.qos, s.nl, s.rap, s.rh]),
    pair.peer.subscriptions.map((s) => [s.topic, s.qos, s.nl, s.rap, s.rh]),
    'mqtt-packet subscriptions',
  );
  assert.equal(peer.messageId, pair.peer.messageId, 'mqtt-packet message id');
  return ourBytes.equals(theirBytes);
}

export function checkConnect(pair: PacketPair<ConnectPacket, IConnectPacket>): boolean {
  const theirBytes = peerEncode(pair.peer, 5);
  const ours = expectOurs(decodePacket(theirBytes, 5), 'connect');
  assert.equal(ours.clientId, pair.ours.clientId, 'client id');
  assert.equal(ours.protocolLevel, 5, 'protocol level');
  assert.equal(ours.username, pair.ours.username, 'username');
  assert.deepEqual(ours.password, pair.ours.password, 'password');
  assert.equal(ours.will?.topic, pair.ours.will?.topic, 'will topic');
  assert.deepEqual(ours.will?.payload, pair.ours.will?.payload, 'will payload');
  assert.deepEqual(ours.will?.properties, pair.ours.will?.properties, 'will properties');
  assert.deepEqual(ours.properties, pair.ours.properties, 'connect properties');

  const ourBytes = encodePacket(pair.ours, 5);
  const peer = expectPeer(peerParseOne(ourBytes, 5), 'connect');
  assert.equal(peer.clientId, pair.peer.clientId, 'mqtt-packet client id');
  assert.equal(peer.username, pair.peer.username, 'mqtt-packet username');
  assert.deepEqual(peer.password, pair.peer.password, 'mqtt-packet password');
  assert.equal(peer.will?.topic, pair.peer.will?.topic, 'mqtt-packet will topic');
  assert.deepEqual(
    asBuffer(peer.will?.payload),
    asBuffer(pair.peer.will?.payload),
    'mqtt-packet will payload',
  );
  assert.deepEqual(plain(peer.will?.properties), plain(pair.peer.will?.properties), 'mqtt-packet will props');
  assert.deepEqual(plain(peer.properties), plain(pair.peer.properties), 'mqtt-packet connect properties');
  return ourBytes.equals(theirBytes);
}
