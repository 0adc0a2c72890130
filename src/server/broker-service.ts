import { AclAuthorizer, type AclRule } from '../broker/acl';
import { Broker } from '../broker/broker';
import type { BrokerConfig } from '../broker/config';
import { ScramSha256 } from '../broker/scram';
import { ScramUsers } from '../broker/scram-users';
import { type UserAccount, UserAuthenticator } from '../broker/users';
import type { BrokerStore } from '../store/types';
import { BrokerServer } from './broker-server';
import type { ListenerConfig, Log } from './types';

/** Everything a host (the CLI, the Node-RED broker node) decides about a broker, as plain data. */
export interface BrokerServiceSettings {
  config: Partial<BrokerConfig>;
  users: readonly UserAccount[];
  acl: readonly AclRule[];
  /** `'auto'`: anonymous clients only while no users are configured (the mosquitto 2.x rule). */
  allowAnonymous: 'auto' | boolean;
  /** Where sessions, queues and retained messages are kept; none keeps them in the engine only. */
  store?: BrokerStore;
  /** 'sync' (default): an acknowledged QoS 1/2 message is in the store first. */
  durability?: 'sync' | 'periodic';
}

export interface BrokerServiceOptions {
  log?: Log;
  /** Milliseconds `close()` lets connections end gracefully before destroying them. */
  closeTimeout?: number;
  /** Milliseconds between engine ticks. */
  tickInterval?: number;
}

/** A broker engine bound to its driver. The host opens listeners on `server` and closes it. */
export interface BrokerService {
  readonly engine: Broker;
  readonly server: BrokerServer;
  readonly authenticator: UserAuthenticator;
}

/**
 * Builds the engine (users, ACL, limits) and its network driver from the settings. Throws the
 * `AclAuthorizer` error (naming the first unusable rule) before anything is started.
 */
export function createBrokerService(
  settings: BrokerServiceSettings,
  options: BrokerServiceOptions = {},
): BrokerService {
  const authenticator = new UserAuthenticator({
    users: settings.users,
    allowAnonymous: settings.allowAnonymous,
  });
  const authorizer = new AclAuthorizer(settings.acl);
  const store = settings.store;
  const engine = new Broker({
    config: settings.config,
    authenticator,
    authorizer,
    log: options.log,
    persistent: store !== undefined,
    // Enhanced authentication: the same users, by SCRAM-SHA-256 (spec 4.12).
    enhancedAuth: settings.users.length > 0 ? [new ScramSha256(new ScramUsers(settings.users))] : [],
  });
  const server = new BrokerServer(engine, {
    log: options.log,
    closeTimeout: options.closeTimeout,
    tickInterval: options.tickInterval,
    ...(store === undefined ? {} : { store, durability: settings.durability ?? 'sync' }),
  });
  return { engine, server, authenticator };
}

/**
 * Loads the store's state into the engine, before any listener opens. Returns how much came
 * back, for the host to report.
 */
export async function restoreFromStore(
  service: BrokerService,
  store: BrokerStore,
): Promise<{ sessions: number; retained: number }> {
  const state = await store.load();
  service.engine.restore(state);
  return { sessions: state.sessions.length, retained: state.retained.length };
}

/** How opening one listener went. */
export type ListenResult =
  | { listener: ListenerConfig; ok: true; port: number }
  | { listener: ListenerConfig; ok: false; error: unknown };

/**
 * Opens every listener, one after the other, and reports each outcome. A listener that fails
 * does not stop the others: the host decides whether to carry on with those that opened.
 */
export async function openListeners(
  server: BrokerServer,
  listeners: readonly ListenerConfig[],
): Promise<ListenResult[]> {
  const results: ListenResult[] = [];
  for (const listener of listeners) {
    try {
      const { port } = await server.listen(listener);
      results.push({ listener, ok: true, port });
    } catch (error) {
      results.push({ listener, ok: false, error });
    }
  }
  return results;
}

/** The system error code of a failed listen (`EADDRINUSE`, `EACCES`, …), if it has one. */
export function listenErrorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
