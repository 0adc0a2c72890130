import { DOLLAR } from './chars';
import { TrieNode } from './trie-node';
import { validateTopicFilter } from './validate';

/**
 * Subscriptions indexed by topic level, shared by the broker router and the client's dispatcher.
 *
 * Each entry is a (filter, value) pair; a value is kept once per filter (by identity, as in a `Set`).
 * Filters are plain Topic Filters: callers strip `$share/<group>/` and keep the group in the value.
 * Matching follows `topicMatches` exactly, including the `$` rule [MQTT-4.7.2-1], and only visits the
 * branches that can match, so its cost grows with the number of matching paths rather than with the
 * number of subscriptions.
 *
 * Do not add or remove entries from inside a `forEach` callback.
 */
export class SubscriptionTrie<T> {
  private readonly root = new TrieNode<T>();
  private count = 0;

  /** Number of (filter, value) pairs. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds `value` under `filter`. Returns false if that pair was already present.
   * Throws `MqttError(TopicFilterInvalid)` when `filter` is not a valid Topic Filter.
   */
  add(filter: string, value: T): boolean {
    validateTopicFilter(filter);
    let node = this.root;
    for (const level of filter.split('/')) node = node.childOrCreate(level);
    node.values ??= new Set();
    if (node.values.has(value)) return false;
    node.values.add(value);
    node.filter = filter;
    this.count++;
    return true;
  }

  /** Removes the pair, pruning levels left empty. Returns false if it was not present. */
  remove(filter: string, value: T): boolean {
    const path: Array<{ parent: TrieNode<T>; level: string }> = [];
    let node = this.root;
    for (const level of filter.split('/')) {
      const child = node.child(level);
      if (child === undefined) return false;
      path.push({ parent: node, level });
      node = child;
    }
    if (node.values === undefined || !node.values.delete(value)) return false;
    this.count--;
    if (node.values.size === 0) {
      node.values = undefined;
      node.filter = undefined;
    }
    // Walk back up, dropping each node that no longer holds anything.
    for (let step = path.pop(); step !== undefined && node.isEmpty(); step = path.pop()) {
      step.parent.deleteChild(step.level);
      node = step.parent;
    }
    return true;
  }

  has(filter: string, value: T): boolean {
    return this.find(filter)?.values?.has(value) ?? false;
  }

  /**
   * Every value whose filter matches `topic`, once per (filter, value) pair, in no particular order.
   * A value subscribed through two matching filters appears twice: callers that deliver once per
   * subscriber dedupe (the broker router does, combining QoS and subscription identifiers).
   */
  match(topic: string): T[] {
    const out: T[] = [];
    const length = topic.length;
    let current: TrieNode<T>[] = [this.root];
    let next: TrieNode<T>[] = [];
    // [MQTT-4.7.2-1] A filter starting with a wildcard does not match a topic starting with '$'.
    let wildcardsAllowed = topic.charCodeAt(0) !== DOLLAR;
    let start = 0;
    for (;;) {
      let end = topic.indexOf('/', start);
      if (end < 0) end = length;
      const level = topic.slice(start, end);
      for (const node of current) {
        if (wildcardsAllowed) {
          // '#' matches this level and everything below it.
          if (node.hash !== undefined) collect(node.hash, out);
          if (node.plus !== undefined) next.push(node.plus);
        }
        const child = node.children?.get(level);
        if (child !== undefined) next.push(child);
      }
      wildcardsAllowed = true;
      if (end === length) break;
      if (next.length === 0) return out;
      const visited = current;
      current = next;
      next = visited;
      next.length = 0;
      start = end + 1;
    }
    // The topic is used up: filters ending here match, and so does a trailing '#' (`a/#` matches `a`).
    for (const node of next) {
      collect(node, out);
      if (node.hash !== undefined) collect(node.hash, out);
    }
    return out;
  }

  /** Calls `callback` once for every (filter, value) pair. */
  forEach(callback: (value: T, filter: string) => void): void {
    const stack: TrieNode<T>[] = [this.root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (node.values !== undefined && node.filter !== undefined) {
        for (const value of node.values) callback(value, node.filter);
      }
      pushChildren(node, stack);
    }
  }

  /** Number of trie levels currently held (the root included), for diagnostics and tests of pruning. */
  countNodes(): number {
    let nodes = 0;
    const stack: TrieNode<T>[] = [this.root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      nodes++;
      pushChildren(node, stack);
    }
    return nodes;
  }

  clear(): void {
    this.root.children = undefined;
    this.root.plus = undefined;
    this.root.hash = undefined;
    this.count = 0;
  }

  private find(filter: string): TrieNode<T> | undefined {
    let node: TrieNode<T> | undefined = this.root;
    for (const level of filter.split('/')) {
      node = node.child(level);
      if (node === undefined) return undefined;
    }
    return node;
  }
}

function collect<T>(node: TrieNode<T>, out: T[]): void {
  if (node.values === undefined) return;
  for (const value of node.values) out.push(value);
}

function pushChildren<T>(node: TrieNode<T>, stack: TrieNode<T>[]): void {
  if (node.children !== undefined) for (const child of node.children.values()) stack.push(child);
  if (node.plus !== undefined) stack.push(node.plus);
  if (node.hash !== undefined) stack.push(node.hash);
}
