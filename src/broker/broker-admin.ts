import { type AdminMessage, type AdminPublished, type AdminResult, adminPublish } from './admin';
import { type AdminDisconnected, type AdminDisconnectRequest, adminDisconnect } from './admin-disconnect';
import {
  type ClientInfo,
  type ClientQuery,
  listClients,
  listRetained,
  listSubscriptions,
  type RetainedInfo,
  type SubscriptionInfo,
  type SubscriptionQuery,
} from './admin-queries';
import type { BrokerContext } from './context';

/**
 * The broker's admin operations bound to its context (`Broker.admin`). Like `receive`, the two
 * that change state only queue packets, events and store ops: the driver flushes afterwards
 * (`BrokerServer.runAdmin`).
 */
export class BrokerAdmin {
  constructor(private readonly ctx: BrokerContext) {}

  /** Publishes a message as the broker itself: routed, and retained when asked. */
  publish(message: AdminMessage): AdminResult<AdminPublished> {
    return adminPublish(this.ctx, message);
  }

  /** Disconnects a connected client (0x98 Administrative action unless told otherwise). */
  disconnect(request: AdminDisconnectRequest): AdminResult<AdminDisconnected> {
    return adminDisconnect(this.ctx, request);
  }

  clients(query?: ClientQuery): ClientInfo[] {
    return listClients(this.ctx, query);
  }

  subscriptions(query?: SubscriptionQuery): AdminResult<SubscriptionInfo[]> {
    return listSubscriptions(this.ctx, query);
  }

  retained(filter?: string): AdminResult<RetainedInfo[]> {
    return listRetained(this.ctx, filter);
  }
}

export type {
  AdminFailure,
  AdminMessage,
  AdminProblem,
  AdminPublished,
  AdminResult,
} from './admin';
export type { AdminDisconnected, AdminDisconnectRequest } from './admin-disconnect';
export type {
  ClientInfo,
  ClientQuery,
  RetainedInfo,
  SubscriptionInfo,
  SubscriptionQuery,
} from './admin-queries';
