import { DOLLAR } from '../topic/chars';
import { hasWildcard } from '../topic/validate';
import type { Message, Millis } from './types';

/** One level of the tree of retained topics. Children are created lazily; leaves hold a message. */
class TopicNode {
  children: Map<string, TopicNode> | undefined;
  message: Message | undefined;

  constructor(
    readonly parent: TopicNode | undefined,
    /** The level's text within its parent ('' for an empty level). */
    readonly level: string,
  ) {}
}

/** Depth marker on the walk stack: the node and everything below it match (a `#` was reached). */
const SUBTREE = -1;

/**
 * The retained messages, one per topic (spec section 3.3.1.3).
 *
 * Messages are found by topic through a map, and by Topic Filter through a tree of topic levels that
 * the filter is walked down: a literal level follows one child, `+` follows every child and `#` takes a
 * whole subtree. A SUBSCRIBE therefore costs what its matches cost, not the number of retained messages.
 */
export class RetainedStore {
  private readonly root = new TopicNode(undefined, '');
  /** The node holding each topic's message. */
  private readonly byTopic = new Map<string, TopicNode>();
  /** How many stored messages have an expiry, so that `sweep` can skip the scan when none do. */
  private expiring = 0;

  get size(): number {
    return this.byTopic.size;
  }

  /**
   * Retains `message` for its topic, replacing the message retained there before [MQTT-3.3.1-5]. A
   * zero-length payload removes the topic's retained message and is not itself retained
   * [MQTT-3.3.1-6], [MQTT-3.3.1-7].
   */
  set(message: Message): void {
    const topic = message.topic;
    if (message.payload.length === 0) {
      this.delete(topic);
      return;
    }
    let node = this.byTopic.get(topic);
    if (node === undefined) {
      node = this.createPath(topic);
      this.byTopic.set(topic, node);
    } else if (node.message?.expiresAt !== undefined) {
      this.expiring--;
    }
    node.message = message;
    if (message.expiresAt !== undefined) this.expiring++;
  }

  get(topic: string): Message | undefined {
    return this.byTopic.get(topic)?.message;
  }

  /** Removes the topic's retained message. Returns false when there was none. */
  delete(topic: string): boolean {
    let node = this.byTopic.get(topic);
    if (node === undefined) return false;
    this.byTopic.delete(topic);
    if (node.message?.expiresAt !== undefined) this.expiring--;
    node.message = undefined;
    // Drop the levels left holding nothing.
    for (let parent = node.parent; parent !== undefined; parent = parent.parent) {
      if (node.message !== undefined || node.children !== undefined) break;
      parent.children?.delete(node.level);
      if (parent.children?.size === 0) parent.children = undefined;
      node = parent;
    }
    return true;
  }

  /**
   * Every retained message whose topic matches `topicFilter` (the part after `$share/<group>/` for a
   * shared subscription), in no particular order. Messages whose expiry has passed are left out and
   * removed [MQTT-3.3.2-5].
   */
  match(topicFilter: string, now: Millis): Message[] {
    const out: Message[] = [];
    let expired: Message[] | undefined;
    if (!hasWildcard(topicFilter)) {
      const message = this.byTopic.get(topicFilter)?.message;
      if (message !== undefined) {
        if (isExpired(message, now)) this.delete(topicFilter);
        else out.push(message);
      }
      return out;
    }
    const levels = topicFilter.split('/');
    const last = levels.length;
    const nodes: TopicNode[] = [this.root];
    const depths: number[] = [0];
    for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
      const depth = depths.pop() ?? 0;
      const level = levels[depth];
      if (depth === SUBTREE || depth === last || level === '#') {
        // A whole subtree, a filter used up, or `#`, which also matches its parent level (`a/#` matches
        // `a`); the root never holds a message.
        const message = node.message;
        if (message !== undefined) {
          if (!isExpired(message, now)) out.push(message);
          else {
            expired ??= [];
            expired.push(message);
          }
        }
        if (depth !== last) pushChildren(node, depth === 0, SUBTREE, nodes, depths);
      } else if (level === '+') {
        pushChildren(node, depth === 0, depth + 1, nodes, depths);
      } else {
        const child = node.children?.get(level ?? '');
        if (child !== undefined) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
    if (expired !== undefined) for (const message of expired) this.delete(message.topic);
    return out;
  }

  /** Removes the retained messages whose expiry has passed. Returns how many were removed. */
  sweep(now: Millis): number {
    if (this.expiring === 0) return 0;
    let removed = 0;
    for (const [topic, node] of this.byTopic) {
      if (node.message !== undefined && isExpired(node.message, now)) {
        this.delete(topic); // deleting the current entry does not disturb Map iteration
        removed++;
      }
    }
    return removed;
  }

  /** Every retained message, for persistence and snapshots. Expired ones are included until swept. */
  *entries(): IterableIterator<Message> {
    for (const node of this.byTopic.values()) if (node.message !== undefined) yield node.message;
  }

  /** The node for `topic`, creating the levels that are missing. */
  private createPath(topic: string): TopicNode {
    let node = this.root;
    let start = 0;
    for (;;) {
      let end = topic.indexOf('/', start);
      if (end < 0) end = topic.length;
      const level = topic.slice(start, end);
      let child = node.children?.get(level);
      if (child === undefined) {
        child = new TopicNode(node, level);
        node.children ??= new Map();
        node.children.set(level, child);
      }
      node = child;
      if (end === topic.length) return node;
      start = end + 1;
    }
  }
}

/** [MQTT-3.3.2-5] A message whose Message Expiry Interval has passed is no longer delivered. */
function isExpired(message: Message, now: Millis): boolean {
  return message.expiresAt !== undefined && message.expiresAt <= now;
}

/**
 * Pushes every child of `node` with `depth`. At the root, a wildcard does not reach topics starting
 * with `$` [MQTT-4.7.2-1].
 */
function pushChildren(
  node: TopicNode,
  atRoot: boolean,
  depth: number,
  nodes: TopicNode[],
  depths: number[],
): void {
  if (node.children === undefined) return;
  for (const [level, child] of node.children) {
    if (atRoot && level.charCodeAt(0) === DOLLAR) continue;
    nodes.push(child);
    depths.push(depth);
  }
}
