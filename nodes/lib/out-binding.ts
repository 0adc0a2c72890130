import { withFigures } from './client-status';
import {
  type ConnectionState,
  type ConnectionUser,
  isConnectionNode,
  type Mqtt5Connection,
} from './connection-api';
import type { NodeAPI, NodeDefinition, NodeStatus } from './node-red-types';
import { StatusThrottle } from './status';

/** How often a node's counters may change its status line. */
const STATUS_INTERVAL_MS = 500;
/** A redeploy waits this long at most for a node to leave its connection. */
export const CLOSE_BOUND_MS = 5_000;

/** Resolves when `work` settles, or after `ms` at most (a close must not hang a redeploy). */
export function bounded(work: Promise<unknown>, ms = CLOSE_BOUND_MS): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        clearTimeout(timer);
        resolve();
      });
  });
}

/** The `mqtt5-connection` node a definition names in `connection`, if it is deployed. */
export function findConnection(RED: NodeAPI, definition: NodeDefinition): Mqtt5Connection | undefined {
  const id = definition['connection'];
  if (typeof id !== 'string' || id === '') return undefined;
  const node = RED.nodes.getNode(id);
  return isConnectionNode(node) ? node : undefined;
}

/**
 * An `mqtt5 out` or `mqtt5 request` node as a user of its connection. Its status is the
 * connection's (shown at once on each change) followed by the node's own figures (shown at most
 * every half second, the last one always): `connected as nr-1 · 12 sent`.
 */
export class ConnectionBinding implements ConnectionUser {
  private base: NodeStatus = {};
  private readonly throttle: StatusThrottle;

  constructor(
    readonly id: string,
    private readonly connection: Mqtt5Connection,
    show: (status: NodeStatus) => void,
    private readonly figures: () => string,
    private readonly stateChanged: (state: ConnectionState) => void = () => undefined,
  ) {
    this.throttle = new StatusThrottle(show, STATUS_INTERVAL_MS);
  }

  /** Registers with the connection, which opens it for the first user. */
  start(): void {
    this.connection.register(this);
  }

  onState(state: ConnectionState, status: NodeStatus): void {
    this.base = status;
    this.throttle.immediate(withFigures(status, this.figures()));
    this.stateChanged(state);
  }

  /** The node's figures changed. */
  refresh(): void {
    this.throttle.throttled(this.render);
  }

  /** The status with the figures, made only when shown (one function for every refresh). */
  private readonly render = (): NodeStatus => withFigures(this.base, this.figures());

  /** Leaves the connection (the last user closes it); nothing shows after this. */
  async stop(): Promise<void> {
    this.throttle.stop();
    await this.connection.deregister(this);
  }
}
