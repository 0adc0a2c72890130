import { MqttError } from '../protocol/errors';
import { ReasonCode } from '../protocol/reason-codes';

/**
 * Topic Aliases of one network connection (spec 3.3.2.3.4). The two directions are independent,
 * and neither outlives the connection [MQTT-3.3.2-7]: make new ones for every CONNECT.
 */

/** Aliases the client sets up towards the broker, within the Topic Alias Maximum sent in CONNACK. */
export class InboundTopicAliases {
  private readonly topics = new Map<number, string>();

  /** `maximum`: the Topic Alias Maximum the broker sent in CONNACK (0: aliases not accepted). */
  constructor(readonly maximum: number) {}

  /**
   * The topic a PUBLISH stands for. A topic with an alias (re)maps the alias; an empty topic uses
   * the alias's mapping. Throws `MqttError` 0x94 Topic Alias invalid for an alias of 0
   * [MQTT-3.3.2-8] or above the maximum [MQTT-3.3.2-9] (all aliases from 1 to the maximum are
   * accepted [MQTT-3.3.2-12]), and 0x82 Protocol Error for an empty topic whose alias has no
   * mapping on this connection.
   */
  resolve(topic: string, alias: number | undefined): string {
    if (alias === undefined) return topic;
    if (alias === 0 || alias > this.maximum) {
      throw new MqttError(
        ReasonCode.TopicAliasInvalid,
        `Topic Alias ${alias} is outside 1..${this.maximum}, the Topic Alias Maximum of this connection`,
      );
    }
    if (topic.length > 0) {
      this.topics.set(alias, topic);
      return topic;
    }
    const mapped = this.topics.get(alias);
    if (mapped === undefined) {
      throw new MqttError(
        ReasonCode.ProtocolError,
        `PUBLISH with an empty topic uses Topic Alias ${alias}, which has no topic on this connection`,
      );
    }
    return mapped;
  }
}

export interface AssignedAlias {
  alias: number;
  /** True: the client already maps `alias` to this topic, so send an empty topic and the alias. */
  known: boolean;
}

interface AliasEntry {
  topic: string;
  readonly alias: number;
  older: AliasEntry | undefined;
  newer: AliasEntry | undefined;
}

/**
 * Aliases the broker sets up towards the client: at most the client's Topic Alias Maximum of
 * them [MQTT-3.1.2-26] [MQTT-3.3.2-11], none when that is 0 or absent [MQTT-3.1.2-27]. When all
 * are taken, the least recently used topic gives its alias up to the new one.
 *
 * A map from topic to entry plus a list of entries in use order keeps every call O(1). (Deleting
 * and re-inserting Map keys would keep the order too, but V8 leaves deleted slots at the front of
 * the table until it rehashes, so finding the oldest key costs up to `maximum` steps.)
 */
export class OutboundTopicAliases {
  private readonly entries = new Map<string, AliasEntry>();
  private oldest: AliasEntry | undefined;
  private newest: AliasEntry | undefined;

  /** `maximum`: the Topic Alias Maximum the client sent in CONNECT (0 or absent: no aliases). */
  constructor(readonly maximum: number) {}

  /**
   * The alias for a PUBLISH about to be written, or undefined to send the topic without one.
   * Call it only for a packet that will go on the wire, in wire order: a returned mapping is
   * taken as known to the client from then on.
   */
  assign(topic: string): AssignedAlias | undefined {
    if (this.maximum <= 0 || topic.length === 0) return undefined;
    const current = this.entries.get(topic);
    if (current !== undefined) {
      this.touch(current);
      return { alias: current.alias, known: true };
    }
    const oldest = this.oldest;
    if (this.entries.size >= this.maximum && oldest !== undefined) {
      // Full: the least recently used topic gives its alias up.
      this.entries.delete(oldest.topic);
      oldest.topic = topic;
      this.entries.set(topic, oldest);
      this.touch(oldest);
      return { alias: oldest.alias, known: false };
    }
    const entry: AliasEntry = { topic, alias: this.entries.size + 1, older: this.newest, newer: undefined };
    if (this.newest === undefined) this.oldest = entry;
    else this.newest.newer = entry;
    this.newest = entry;
    this.entries.set(topic, entry);
    return { alias: entry.alias, known: false };
  }

  /** Moves `entry` to the most recently used end. */
  private touch(entry: AliasEntry): void {
    const newer = entry.newer;
    if (newer === undefined) return; // already the newest
    const older = entry.older;
    if (older === undefined) this.oldest = newer;
    else older.newer = newer;
    newer.older = older;
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = entry;
    this.newest = entry;
  }
}
