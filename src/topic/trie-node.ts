/**
 * One level of a `SubscriptionTrie`. The wildcards get their own slots so that matching never looks them
 * up by name, and everything is created lazily: most nodes are inner levels that hold no values.
 */
export class TrieNode<T> {
  /** Children for literal levels, keyed by the level text ('' for an empty level). */
  children: Map<string, TrieNode<T>> | undefined;
  /** The child for a `+` level. */
  plus: TrieNode<T> | undefined;
  /** The child for a `#` level; it is always a leaf. */
  hash: TrieNode<T> | undefined;
  /** Values subscribed with the filter that ends at this node. */
  values: Set<T> | undefined;
  /** That filter, kept so `forEach` can report it; set while `values` is. */
  filter: string | undefined;

  child(level: string): TrieNode<T> | undefined {
    if (level === '+') return this.plus;
    if (level === '#') return this.hash;
    return this.children?.get(level);
  }

  /** The child for `level`, created when missing. */
  childOrCreate(level: string): TrieNode<T> {
    const existing = this.child(level);
    if (existing !== undefined) return existing;
    const created = new TrieNode<T>();
    if (level === '+') this.plus = created;
    else if (level === '#') this.hash = created;
    else {
      this.children ??= new Map();
      this.children.set(level, created);
    }
    return created;
  }

  deleteChild(level: string): void {
    if (level === '+') this.plus = undefined;
    else if (level === '#') this.hash = undefined;
    else if (this.children !== undefined) {
      this.children.delete(level);
      if (this.children.size === 0) this.children = undefined;
    }
  }

  /** True when the node holds no values and no children, so its parent may drop it. */
  isEmpty(): boolean {
    return (
      this.values === undefined &&
      this.children === undefined &&
      this.plus === undefined &&
      this.hash === undefined
    );
  }
}
