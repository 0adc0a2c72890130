import assert from 'node:assert/strict';
import type { ClientEvent, ClientSessionOptions } from '../../src/client';
import { ClientSession } from '../../src/client/session';
import { encodePacket } from '../../src/protocol/encode';
import type {
  ConnackProperties,
  DisconnectPacket,
  Packet,
  PublishPacket,
  Subscription,
} from '../../src/protocol/types';

/** A fake clock and a session whose every packet is encoded on the way out. */
export class FakeClock {
  constructor(public t = 1_000_000) {}

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }
}

export class SessionHarness {
  readonly clock = new FakeClock();
  readonly session: ClientSession;
  /** Packets the session sent and the test has not looked at yet. */
  sent: Packet[] = [];
  events: ClientEvent[] = [];

  constructor(options: ClientSessionOptions = {}) {
    this.session = new ClientSession(options, this.clock);
  }

  /** Moves the session's output into `sent` and `events`, encoding every packet. */
  flush(): void {
    for (const p of this.session.takePackets()) {
      encodePacket(p, this.session.protocolLevel);
      this.sent.push(p);
    }
    this.events.push(...this.session.takeEvents());
  }

  take(): Packet[] {
    this.flush();
    return this.sent.splice(0);
  }

  takeEvents(): ClientEvent[] {
    this.flush();
    return this.events.splice(0);
  }

  receive(packet: Packet): void {
    this.session.handlePacket(packet);
    this.flush();
  }

  tick(ms: number): void {
    this.clock.advance(ms);
    this.session.tick(this.clock.now());
    this.flush();
  }

  /** Opens the connection and accepts it with `properties`. */
  connect(properties: ConnackProperties = {}, sessionPresent = false): void {
    this.session.handleConnected();
    const connect = this.take();
    assert.equal(connect[0]?.type, 'connect');
    this.receive({ type: 'connack', sessionPresent, reasonCode: 0, properties });
  }

  lose(): void {
    this.session.handleConnectionLost(new Error('gone'));
    this.flush();
  }

  publishes(): PublishPacket[] {
    return this.take().filter((p): p is PublishPacket => p.type === 'publish');
  }
}

export function msg(topic: string, qos: 0 | 1 | 2 = 1, extra: { retain?: boolean; payload?: string } = {}) {
  return { topic, payload: Buffer.from(extra.payload ?? 'x'), qos, retain: extra.retain ?? false };
}

export function failedCode(events: ClientEvent[], requestId: number): number | undefined {
  for (const e of events) if (e.type === 'failed' && e.requestId === requestId) return e.error.reasonCode;
  return undefined;
}

export function completedCodes(events: ClientEvent[], requestId: number): number[] | undefined {
  for (const e of events) if (e.type === 'completed' && e.requestId === requestId) return e.reasonCodes;
  return undefined;
}

/** A QoS 1 subscription with the default options. */
export function sub(topicFilter: string): Subscription {
  return { topicFilter, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 };
}

/** The reason code of the DISCONNECT the session sent, if it sent one. */
export function disconnectCode(h: SessionHarness): number | undefined {
  const d = h.take().find((p): p is DisconnectPacket => p.type === 'disconnect');
  return d?.reasonCode;
}
