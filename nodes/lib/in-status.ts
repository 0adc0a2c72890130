import { ClientError } from '../../src/client/errors';
import { MqttError } from '../../src/protocol/errors';
import { reasonText, withFigures } from './client-status';
import type { NodeStatus, Translate } from './node-red-types';
import { StatusThrottle } from './status';

/** A message storm updates the status at most this often. */
const STATUS_INTERVAL_MS = 500;

/** What went wrong with a subscription, for the status: a reason code and the server's words. */
export interface Refusal {
  reasonCode?: number;
  reasonString?: string;
}

/** The reason code and reason string of a failed request; a local error's message otherwise. */
export function refusalOf(error: unknown): Refusal {
  if (error instanceof ClientError) {
    return error.reasonString === undefined
      ? { reasonCode: error.reasonCode }
      : { reasonCode: error.reasonCode, reasonString: error.reasonString };
  }
  if (error instanceof MqttError) return { reasonCode: error.reasonCode, reasonString: error.message };
  return { reasonString: error instanceof Error ? error.message : String(error) };
}

/**
 * The status of an `mqtt5 in` node: its connection's status with the node's own figures after
 * it, e.g. "connected as nr-1 · 12 received", and the last refused subscription, e.g.
 * "subscribe refused: 0x87 NotAuthorized" (then with a red ring: the node is missing messages).
 * A change of connection or a refusal shows at once; the count at most twice a second.
 * Keys are under `mqtt5-in.status`.
 */
export class InStatus {
  private readonly throttle: StatusThrottle;
  private connection: NodeStatus = {};
  private received = 0;
  private refusal: string | undefined;

  constructor(
    show: (status: NodeStatus) => void,
    private readonly t: Translate,
  ) {
    this.throttle = new StatusThrottle(show, STATUS_INTERVAL_MS);
  }

  /**
   * The connection's status changed. A new connection asks for every subscription again, so an
   * earlier refusal no longer stands once it is `connected` (a new refusal shows anew).
   */
  connectionChanged(status: NodeStatus, connected = false): void {
    this.connection = status;
    if (connected) this.refusal = undefined;
    this.throttle.immediate(this.render());
  }

  messageReceived(): void {
    this.received++;
    this.throttle.throttled(this.renderLater);
  }

  refused(refusal: Refusal): void {
    this.refusal = reasonText(refusal.reasonCode, refusal.reasonString);
    this.throttle.immediate(this.render());
  }

  /** A subscription was granted: an earlier refusal no longer stands. */
  granted(): void {
    if (this.refusal === undefined) return;
    this.refusal = undefined;
    this.throttle.immediate(this.render());
  }

  /** A problem that keeps the node from working at all. */
  failed(text: string): void {
    this.throttle.immediate({ fill: 'red', shape: 'ring', text });
  }

  stop(): void {
    this.throttle.stop();
  }

  /** `render` as one function for every message, called only when the status is shown. */
  private readonly renderLater = (): NodeStatus => this.render();

  private render(): NodeStatus {
    const figures: string[] = [];
    if (this.received > 0) figures.push(this.t('mqtt5-in.status.received', { count: this.received }));
    if (this.refusal !== undefined) figures.push(this.t('mqtt5-in.status.refused', { reason: this.refusal }));
    const status = withFigures(this.connection, figures.join(' · '));
    return this.refusal === undefined ? status : { ...status, fill: 'red', shape: 'ring' };
  }
}
