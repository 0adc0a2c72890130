import type { Packet } from '../protocol/types';
import type { StoreOp } from '../store/types';
import type { BrokerConfig } from './config';
import type { Connection } from './connection';
import type { BrokerCounters } from './engine-api';
import type { RetainedStore } from './retained';
import type { Router } from './router';
import type { Authenticator, Authorizer } from './security';
import type { Session } from './session';
import type { BrokerEvent, Clock } from './types';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Log = (level: LogLevel, message: string) => void;

/**
 * The broker's state, passed explicitly to every handler. Handlers are plain functions over it;
 * none of them reaches into another object's private state.
 */
export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly random: () => number;
  readonly log: Log;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly router: Router;
  readonly retained: RetainedStore;
  readonly sessions: Map<string, Session>;
  readonly connections: Map<number, Connection>;
  /** Connections with packets to write or a close to carry out. */
  readonly dirty: Set<Connection>;
  readonly events: BrokerEvent[];
  readonly counters: BrokerCounters;
  /** Changes to durable state, for the store; undefined when the broker has no store. */
  readonly journal: StoreOp[] | undefined;
}

/** Queues a packet for a connection; the driver writes it at the next drain. */
export function send(ctx: BrokerContext, conn: Connection, packet: Packet): void {
  if (conn.state === 'closed' || conn.closing) return;
  if (conn.outbox === undefined) conn.outbox = [packet];
  else conn.outbox.push(packet);
  ctx.dirty.add(conn);
}

/** Marks a connection to close once its outbox is written. */
export function closeAfterFlush(ctx: BrokerContext, conn: Connection, code: number, text: string): void {
  if (conn.closing) return;
  conn.closing = true;
  conn.endReason = { code, text };
  ctx.dirty.add(conn);
}
