import type { BrokerEvent } from '../../src/broker/types';
import type { AdminApi, AdminHandler, NodeAPI } from './node-red-types';

/**
 * The topics an `mqtt5 broker` node has seen, for the editor's topic autocomplete: the topics of
 * its retained messages (asked for when the editor asks), and, bounded and most recent first,
 * the filters clients subscribed to and the topics published (when the node reports publishes).
 * The editor reads them at `GET /mqtt5-broker/<node id>/topics`.
 */

/** How many recent topics a broker node keeps, and how many topics an answer lists. */
export const TOPIC_LIMIT = 200;

export class TopicCatalog {
  /** Insertion-ordered: the oldest first, so the first key is the one to forget. */
  private readonly recent = new Set<string>();

  constructor(
    private readonly retained: () => string[],
    private readonly limit = TOPIC_LIMIT,
  ) {}

  /** Notes the topic of a publish, or the filter of an accepted subscription. */
  record(event: BrokerEvent): void {
    if (event.type === 'published') this.add(event.topic);
    else if (event.type === 'subscribed' && event.reasonCode < 0x80) this.add(event.filter);
  }

  add(topic: string): void {
    if (topic === '' || topic.startsWith('$SYS')) return;
    this.recent.delete(topic);
    this.recent.add(topic);
    if (this.recent.size > this.limit) {
      const oldest = this.recent.values().next();
      if (oldest.done !== true) this.recent.delete(oldest.value);
    }
  }

  /** The recent topics (newest first), then retained ones, without duplicates, at most `limit`. */
  topics(): string[] {
    const out = new Set<string>([...this.recent].reverse());
    for (const topic of this.retained()) {
      if (out.size >= this.limit) break;
      if (!topic.startsWith('$SYS')) out.add(topic);
    }
    return [...out].slice(0, this.limit);
  }
}

/** Node-RED's admin permission for reading a broker node's state (a permission, not a catalog key). */
export const READ_PERMISSION = `${'mqtt5-broker'}.read`;

/** The catalogs of the running broker nodes, by node id. */
const catalogs = new Map<string, TopicCatalog>();

export function publishCatalog(id: string, catalog: TopicCatalog): void {
  catalogs.set(id, catalog);
}

/** Forgets the node's catalog, unless a newer node with the same id (a redeploy) replaced it. */
export function withdrawCatalog(id: string, catalog: TopicCatalog): void {
  if (catalogs.get(id) === catalog) catalogs.delete(id);
}

export function catalogOf(id: string): TopicCatalog | undefined {
  return catalogs.get(id);
}

/**
 * Serves `GET /mqtt5-broker/:id/topics` on Node-RED's admin API (when it has one), behind the
 * read permission (`READ_PERMISSION`): `{ topics: string[] }`, or 404 for an id that is no running
 * broker node.
 */
export function serveTopics(RED: NodeAPI): void {
  const admin = adminApiOf(RED);
  if (admin === undefined) return;
  const allowed: AdminHandler =
    admin.auth?.needsPermission(READ_PERMISSION) ?? ((_req, _res, next) => next());
  admin.httpAdmin.get('/mqtt5-broker/:id/topics', allowed, (req, res) => {
    const catalog = catalogOf(String(req.params['id'] ?? ''));
    if (catalog === undefined) {
      res.status(404).json({ topics: [] });
      return;
    }
    res.json({ topics: catalog.topics() });
  });
}

function hasFunction(value: unknown, name: string): boolean {
  // An Express app is itself a function.
  const holder = typeof value === 'object' || typeof value === 'function';
  return holder && value !== null && typeof Reflect.get(Object(value), name) === 'function';
}

/** `RED.httpAdmin` and `RED.auth` when Node-RED has them (the runtime without the editor has not). */
function adminApiOf(RED: NodeAPI): AdminApi | undefined {
  const httpAdmin: unknown = Reflect.get(RED, 'httpAdmin');
  const auth: unknown = Reflect.get(RED, 'auth');
  if (!hasFunction(httpAdmin, 'get')) return undefined;
  const get = (path: string, ...handlers: AdminHandler[]): void => {
    Reflect.apply(Reflect.get(Object(httpAdmin), 'get'), httpAdmin, [path, ...handlers]);
  };
  if (!hasFunction(auth, 'needsPermission')) return { httpAdmin: { get } };
  const needsPermission = (permission: string): AdminHandler => {
    const handler: unknown = Reflect.apply(Reflect.get(Object(auth), 'needsPermission'), auth, [permission]);
    return typeof handler === 'function'
      ? (req, res, next) => Reflect.apply(handler, undefined, [req, res, next])
      : (_req, _res, next) => next();
  };
  return { httpAdmin: { get }, auth: { needsPermission } };
}
