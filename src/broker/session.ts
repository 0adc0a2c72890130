import type { Connection } from './connection';
import type { Message, Millis } from './types';

/**
 * A message on its way to one session, with the routing decision made for it. The same object
 * waits in the queue and then sits in the in-flight window, so a QoS 1/2 delivery allocates it
 * once: `packetId` is 0 until it enters the window.
 */
export interface Pending {
  message: Message;
  qos: 0 | 1 | 2;
  retain: boolean;
  subscriptionIdentifiers: number[];
  packetId: number;
  /** 'publish': awaiting PUBACK or PUBREC; 'pubrel': PUBREL sent, awaiting PUBCOMP. */
  state: 'publish' | 'pubrel';
}

interface PendingConstructor {
  new (message: Message, qos: 0 | 1 | 2, retain: boolean, subscriptionIdentifiers: number[]): Pending;
  prototype: object;
}

/**
 * A new delivery, not yet in the window. Made with `new`, not as a literal, because it lives until
 * the client acknowledges it (see `src/protocol/plain-objects.ts`); a plain object all the same.
 */
export const PendingObject = function PendingObject(
  this: Pending,
  message: Message,
  qos: 0 | 1 | 2,
  retain: boolean,
  subscriptionIdentifiers: number[],
): void {
  this.message = message;
  this.qos = qos;
  this.retain = retain;
  this.subscriptionIdentifiers = subscriptionIdentifiers;
  this.packetId = 0;
  this.state = 'publish';
} as unknown as PendingConstructor;
PendingObject.prototype = Object.prototype;

/**
 * The Subscription Identifiers of a delivery that has none: one shared, frozen array instead of
 * an empty one per delivery. Code that adds an identifier replaces it (see `Router.route`).
 */
export const NO_SUBSCRIPTION_IDS = Object.freeze([]) as readonly number[] as number[];

/** An outgoing QoS 1 or 2 message between PUBLISH and its final acknowledgement. */
export type InflightOut = Pending;

/** What a will message needs besides the message itself. */
export interface WillState {
  message: Message;
  /** Will Delay Interval in milliseconds. */
  delay: Millis;
}

/**
 * Session state (spec 4.1): it outlives network connections for as long as its Session Expiry
 * Interval says. Subscriptions live in the router, keyed by client id.
 */
export class Session {
  /** The live connection, if any. */
  connection: Connection | undefined;
  /** Session Expiry Interval in seconds (0xFFFFFFFF: never). */
  expiryInterval = 0;
  /** When a disconnected session ends; undefined while connected or when it never expires. */
  expiresAt: Millis | undefined;
  /** Outgoing QoS 1/2 messages sent and not yet completed, in send order. */
  readonly inflight = new Map<number, InflightOut>();
  /** Messages waiting for a slot in the client's Receive Maximum window, or for it to return. */
  readonly queue: Pending[] = [];
  queuedBytes = 0;
  /**
   * Incoming QoS 2 packet ids between PUBREC and PUBREL [MQTT-4.3.3-10]; made on first use, as
   * most sessions never receive QoS 2 and an idle connection should cost little.
   */
  private incoming: Set<number> | undefined;
  will: WillState | undefined;
  /** When a pending will is due, after the connection closed. */
  willDueAt: Millis | undefined;
  /** A 'session' op has been recorded for it, so its end must be recorded too. */
  persisted = false;
  private lastPacketId = 0;

  constructor(readonly clientId: string) {}

  hasIncomingQoS2(packetId: number): boolean {
    return this.incoming?.has(packetId) === true;
  }

  get incomingQoS2Count(): number {
    return this.incoming?.size ?? 0;
  }

  addIncomingQoS2(packetId: number): void {
    this.incoming ??= new Set();
    this.incoming.add(packetId);
  }

  /** True when the id was waiting for its PUBREL. */
  deleteIncomingQoS2(packetId: number): boolean {
    return this.incoming?.delete(packetId) === true;
  }

  /** A packet id not in use by an outgoing QoS 1/2 message [MQTT-2.2.1-4]. */
  nextPacketId(): number {
    for (let i = 0; i < 65535; i++) {
      this.lastPacketId = this.lastPacketId === 65535 ? 1 : this.lastPacketId + 1;
      if (!this.inflight.has(this.lastPacketId)) return this.lastPacketId;
    }
    // Unreachable while the in-flight window is bounded by a Receive Maximum of at most 65,535.
    throw new Error('no free packet identifier');
  }
}
