import type { UserProperty } from '../../src/protocol/types';
import { isRecord } from './fields';
import { fail, ok, type Result } from './problems';

/**
 * User properties as flows see them: an object, where a key the packet repeats holds an array of
 * its values in order (`{ unit: 'C', tag: ['a', 'b'] }`). On the wire they are an ordered list
 * of pairs.
 */
export type UserPropertiesObject = Record<string, string | string[]>;

/** The pairs of a packet as an object; repeated keys become arrays. */
export function userPropertiesToObject(pairs: readonly UserProperty[]): UserPropertiesObject {
  const out: UserPropertiesObject = {};
  for (const [key, value] of pairs) {
    // Own keys only: `constructor` or `toString` from the wire are keys like any other.
    const seen = Object.hasOwn(out, key) ? out[key] : undefined;
    if (Array.isArray(seen)) {
      seen.push(value);
      continue;
    }
    // Defined, not assigned: a `__proto__` key must not replace the object's prototype.
    Object.defineProperty(out, key, {
      value: seen === undefined ? value : [seen, value],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * An object from a flow as pairs: strings, numbers and booleans as text, an array as one pair
 * per element. Anything else is refused with the key that holds it.
 */
export function objectToUserProperties(value: unknown): Result<UserProperty[]> {
  if (!isRecord(value)) return fail('user-properties-invalid');
  const pairs: UserProperty[] = [];
  for (const [key, item] of Object.entries(value)) {
    const values = Array.isArray(item) ? item : [item];
    for (const v of values) {
      const s = text(v);
      if (s === undefined) return fail('user-property-invalid', { key });
      pairs.push([key, s]);
    }
  }
  return ok(pairs);
}

/**
 * The node's user properties overlaid with the msg's, key by key: a key the msg has replaces
 * all of the node's values for it; the node's other keys stay.
 */
export function mergeUserProperties(
  defaults: readonly UserProperty[],
  overrides: readonly UserProperty[],
): UserProperty[] {
  if (overrides.length === 0) return [...defaults];
  const replaced = new Set(overrides.map(([key]) => key));
  return [...defaults.filter(([key]) => !replaced.has(key)), ...overrides];
}
