import type { Transport } from '../../src/transport/transport';
import { isRecord } from './fields';

/**
 * What a broker node offers other nodes in the same Node-RED: a connection without a socket.
 * The `mqtt5-connection` config node finds the broker node with `RED.nodes.getNode(id)`, checks
 * it with `isInProcessBroker`, and speaks MQTT over the transport it gets.
 */
export interface InProcessBroker {
  /**
   * A new connection to the broker, as the client's end of an in-memory pair. It closes when
   * the broker node is stopped (a redeploy); a stopped or failed broker returns a closed one.
   */
  connectInProcess(): Transport;
}

export function isInProcessBroker(node: unknown): node is InProcessBroker {
  return isRecord(node) && typeof node['connectInProcess'] === 'function';
}
