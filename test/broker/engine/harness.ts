import assert from 'node:assert/strict';
import { Broker, type BrokerOptions } from '../../../src/broker/broker';
import type { BrokerEvent, Clock } from '../../../src/broker/types';
import { encodePacket } from '../../../src/protocol/encode';
import type {
  ConnackPacket,
  ConnectPacket,
  ConnectProperties,
  Packet,
  ProtocolLevel,
  PublishPacket,
  PublishProperties,
  QoS,
  RetainHandling,
  SubackPacket,
  Subscription,
  Will,
} from '../../../src/protocol/types';
import { seededRandom } from '../../topic/random-topics';

/**
 * A harness for the broker engine: a fake clock, a seeded random source, and test clients that
 * each wrap one connection id. Every packet the engine leaves for a connection is encoded at the
 * connection's level on the way out, so an engine bug cannot hide an invalid packet.
 */

export class FakeClock implements Clock {
  constructor(private t = 1_000_000) {}

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }
}

interface Inbox {
  packets: Packet[];
  closed: boolean;
  level: ProtocolLevel;
}

export interface HarnessOptions extends Omit<BrokerOptions, 'clock'> {
  /** Seed of the random source handed to the broker (ignored when `random` is given). */
  seed?: number;
}

export class Harness {
  readonly clock = new FakeClock();
  readonly broker: Broker;
  /** Every event the broker reported, in order. */
  readonly events: BrokerEvent[] = [];
  private readonly inboxes = new Map<number, Inbox>();

  constructor(options: HarnessOptions = {}) {
    const { seed, ...rest } = options;
    this.broker = new Broker({
      // $SYS is off unless a test asks for it, so that retained $SYS topics stay out of the way.
      config: { sysInterval: 0, ...rest.config },
      ...rest,
      random: rest.random ?? seededRandom(seed ?? 1),
      clock: this.clock,
    });
  }

  /** A new network connection (no CONNECT sent yet). */
  client(remoteAddress = 'test:1', listener = 'default'): TestClient {
    const id = this.broker.open({ remoteAddress, listener });
    this.inboxes.set(id, { packets: [], closed: false, level: 5 });
    return new TestClient(this, id);
  }

  /** Takes everything the broker has to write, into each connection's inbox. */
  flush(): void {
    for (const out of this.broker.drain()) {
      const inbox = this.inboxes.get(out.connectionId);
      assert.ok(inbox !== undefined, `output for unknown connection ${out.connectionId}`);
      assert.ok(
        !inbox.closed || out.packets.length === 0,
        `packets for closed connection ${out.connectionId}`,
      );
      for (const packet of out.packets) {
        // Throws for a packet the codec refuses to put on the wire.
        encodePacket(packet, out.protocolLevel);
        inbox.packets.push(packet);
      }
      inbox.level = out.protocolLevel;
      if (out.close && !inbox.closed) {
        inbox.closed = true;
        // What a driver does once the socket is closed.
        this.broker.closed(out.connectionId);
      }
    }
    this.events.push(...this.broker.takeEvents());
  }

  /** Moves the clock on and ticks the engine. */
  advance(ms: number): void {
    this.clock.advance(ms);
    this.broker.tick();
    this.flush();
  }

  tick(): void {
    this.broker.tick();
    this.flush();
  }

  inbox(id: number): Inbox {
    const inbox = this.inboxes.get(id);
    assert.ok(inbox !== undefined, `no inbox for connection ${id}`);
    return inbox;
  }

  /** Events of one type reported so far. */
  eventsOf<T extends BrokerEvent['type']>(type: T): Extract<BrokerEvent, { type: T }>[] {
    this.flush();
    return this.events.filter((e): e is Extract<BrokerEvent, { type: T }> => e.type === type);
  }
}

export interface ConnectOptions {
  clientId?: string;
  level?: ProtocolLevel;
  cleanStart?: boolean;
  keepAlive?: number;
  username?: string;
  password?: string;
  will?: Will;
  properties?: ConnectProperties;
}

export interface SubscribeOptions {
  qos?: QoS;
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: RetainHandling;
  subscriptionIdentifier?: number;
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  dup?: boolean;
  packetId?: number;
  properties?: PublishProperties;
}

/** One network connection, driven from the client side. */
export class TestClient {
  private nextPacketId = 1;
  /** Packets taken from the inbox but not yet handed to the test (after CONNACK or SUBACK). */
  private buffered: Packet[] = [];

  constructor(
    readonly harness: Harness,
    readonly id: number,
  ) {}

  /** Sends CONNECT and returns the CONNACK. */
  connect(options: ConnectOptions = {}): ConnackPacket {
    this.send(connectPacket(options));
    const packets = this.take();
    const connack = packets[0];
    assert.ok(connack?.type === 'connack', `expected CONNACK, got ${packets.map((p) => p.type).join(', ')}`);
    this.buffered.unshift(...packets.slice(1));
    return connack;
  }

  send(packet: Packet): void {
    this.harness.broker.receive(this.id, packet);
  }

  /** Packets left for this connection since the last `take`, in order. */
  take(): Packet[] {
    this.harness.flush();
    const inbox = this.harness.inbox(this.id);
    const packets = [...this.buffered, ...inbox.packets];
    this.buffered = [];
    inbox.packets = [];
    return packets;
  }

  /** The PUBLISH packets of `take()`, asserting nothing else came. */
  takePublishes(): PublishPacket[] {
    const packets = this.take();
    const publishes = packets.filter((p): p is PublishPacket => p.type === 'publish');
    assert.equal(publishes.length, packets.length, `unexpected ${packets.map((p) => p.type).join(', ')}`);
    return publishes;
  }

  /** Exactly one packet of the given type. */
  takeOne<T extends Packet['type']>(type: T): Extract<Packet, { type: T }> {
    const packets = this.take();
    assert.equal(
      packets.length,
      1,
      `expected one ${type}, got ${packets.map((p) => p.type).join(', ') || 'nothing'}`,
    );
    const packet = packets[0];
    assert.ok(packet?.type === type, `expected ${type}, got ${packet?.type}`);
    return packet as Extract<Packet, { type: T }>;
  }

  get closed(): boolean {
    this.harness.flush();
    return this.harness.inbox(this.id).closed;
  }

  /** The network connection fails (no DISCONNECT). */
  drop(): void {
    this.harness.broker.closed(this.id);
    this.harness.flush();
  }

  subscribe(filter: string | string[], options: SubscribeOptions = {}): SubackPacket {
    const filters = Array.isArray(filter) ? filter : [filter];
    const subscriptions: Subscription[] = filters.map((topicFilter) => ({
      topicFilter,
      qos: options.qos ?? 0,
      noLocal: options.noLocal ?? false,
      retainAsPublished: options.retainAsPublished ?? false,
      retainHandling: options.retainHandling ?? 0,
    }));
    const packetId = this.packetId();
    this.send({
      type: 'subscribe',
      packetId,
      subscriptions,
      ...(options.subscriptionIdentifier === undefined
        ? {}
        : { properties: { subscriptionIdentifier: options.subscriptionIdentifier } }),
    });
    const packets = this.take();
    const suback = packets[0];
    assert.ok(suback?.type === 'suback', `expected SUBACK, got ${packets.map((p) => p.type).join(', ')}`);
    assert.equal(suback.packetId, packetId);
    this.buffered.unshift(...packets.slice(1));
    return suback;
  }

  /** Sends a PUBLISH (packet id allocated for QoS 1 and 2 unless given). */
  publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): PublishPacket {
    const packet = publishPacket(topic, payload, options);
    if (packet.qos > 0 && packet.packetId === undefined) packet.packetId = this.packetId();
    this.send(packet);
    return packet;
  }

  /** PUBLISH QoS 1 and its PUBACK reason code. */
  publishQos1(topic: string, payload: string | Buffer, properties?: PublishProperties): number {
    const sent = this.publish(topic, payload, {
      qos: 1,
      ...(properties === undefined ? {} : { properties }),
    });
    const ack = this.takeOne('puback');
    assert.equal(ack.packetId, sent.packetId);
    return ack.reasonCode;
  }

  disconnect(reasonCode = 0, sessionExpiryInterval?: number): void {
    this.send({
      type: 'disconnect',
      reasonCode,
      ...(sessionExpiryInterval === undefined ? {} : { properties: { sessionExpiryInterval } }),
    });
    this.harness.flush();
  }

  private packetId(): number {
    const id = this.nextPacketId;
    this.nextPacketId = id === 65535 ? 1 : id + 1;
    return id;
  }
}

export function connectPacket(options: ConnectOptions = {}): ConnectPacket {
  const level = options.level ?? 5;
  const packet: ConnectPacket = {
    type: 'connect',
    protocolName: level === 3 ? 'MQIsdp' : 'MQTT',
    protocolLevel: level,
    clientId: options.clientId ?? '',
    cleanStart: options.cleanStart ?? true,
    keepAlive: options.keepAlive ?? 0,
  };
  if (options.username !== undefined) packet.username = options.username;
  if (options.password !== undefined) packet.password = Buffer.from(options.password);
  if (options.will !== undefined) packet.will = options.will;
  if (options.properties !== undefined) packet.properties = options.properties;
  return packet;
}

export function publishPacket(
  topic: string,
  payload: string | Buffer,
  options: PublishOptions = {},
): PublishPacket {
  const qos = options.qos ?? 0;
  const packet: PublishPacket = {
    type: 'publish',
    topic,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    qos,
    retain: options.retain ?? false,
    dup: options.dup ?? false,
  };
  if (qos > 0) {
    if (options.packetId !== undefined) packet.packetId = options.packetId;
  }
  if (options.properties !== undefined) packet.properties = options.properties;
  return packet;
}

export function will(
  topic: string,
  payload: string,
  options: Partial<Omit<Will, 'topic' | 'payload'>> = {},
): Will {
  return {
    topic,
    payload: Buffer.from(payload),
    qos: options.qos ?? 0,
    retain: options.retain ?? false,
    ...options,
  };
}

/** A connected client with a fixed id. */
export function connected(harness: Harness, clientId: string, options: ConnectOptions = {}): TestClient {
  const client = harness.client(`test:${clientId}`);
  const connack = client.connect({ clientId, ...options });
  assert.equal(connack.reasonCode, 0, `${clientId} refused with 0x${connack.reasonCode.toString(16)}`);
  return client;
}

/** The payloads of some PUBLISH packets, as text. */
export function payloads(packets: readonly PublishPacket[]): string[] {
  return packets.map((p) => p.payload.toString());
}
