import { OutboundTopicAliases } from '../broker/topic-alias';
import { MqttError } from '../protocol/errors';
import { ReasonCode } from '../protocol/reason-codes';

/** How a PUBLISH about to be written names its topic. */
export interface TopicOnWire {
  topic: string;
  alias: number | undefined;
}

/**
 * Topic aliases from the client to the server, for one connection [MQTT-3.3.2-7], within the
 * server's Topic Alias Maximum [MQTT-3.3.2-9]. Either the application names the alias on each
 * publish (`topicAlias`), or, with `automatic`, the least recently used topics get them
 * (reusing `OutboundTopicAliases`). The two are not mixed on one connection: with automatic
 * aliases on, an explicit one is refused, since it could take an alias the LRU map relies on.
 */
export class ClientTopicAliases {
  private readonly auto: OutboundTopicAliases | undefined;
  /** Explicit aliases the server already maps: alias to topic. */
  private readonly explicit = new Map<number, string>();

  constructor(
    readonly maximum: number,
    automatic: boolean,
  ) {
    this.auto = automatic && maximum > 0 ? new OutboundTopicAliases(maximum) : undefined;
  }

  /** Throws `MqttError` 0x94 for an explicit alias this connection cannot use. */
  check(alias: number | undefined): void {
    if (alias === undefined) return;
    if (this.auto !== undefined) {
      throw new MqttError(
        ReasonCode.TopicAliasInvalid,
        'explicit topic alias while automatic aliases are on',
      );
    }
    if (!Number.isInteger(alias) || alias < 1 || alias > this.maximum) {
      throw new MqttError(
        ReasonCode.TopicAliasInvalid,
        `topic alias ${alias} is outside 1..${this.maximum}, the server's Topic Alias Maximum`,
      );
    }
  }

  /**
   * The topic and alias for a PUBLISH written now, in wire order. A known mapping sends an empty
   * topic (spec 3.3.2.3.4).
   */
  assign(topic: string, explicitAlias: number | undefined): TopicOnWire {
    if (explicitAlias !== undefined) {
      this.check(explicitAlias);
      if (this.explicit.get(explicitAlias) === topic) return { topic: '', alias: explicitAlias };
      this.explicit.set(explicitAlias, topic);
      return { topic, alias: explicitAlias };
    }
    const assigned = this.auto?.assign(topic);
    if (assigned === undefined) return { topic, alias: undefined };
    return { topic: assigned.known ? '' : topic, alias: assigned.alias };
  }
}
