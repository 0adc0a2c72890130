import type { NodeStatus, Translate } from './node-red-types';

/** What the status line shows: the phase, the open listeners, the clients, the last error. */
export interface BrokerStatus {
  phase: 'starting' | 'running' | 'failed';
  /** Labels of the open listeners: `tcp:1883`, `ws:/mqtt`, … */
  listening: readonly string[];
  clients: number;
  /** The last error, translated; shown with a red ring until the next deploy. */
  error?: string;
}

/** The Node-RED status for a broker status, e.g. green "tcp:1883 ws:/mqtt · 3 clients". */
export function nodeStatus(status: BrokerStatus, t: Translate): NodeStatus {
  if (status.phase === 'starting') {
    return { fill: 'yellow', shape: 'ring', text: t('mqtt5-broker.status.starting') };
  }
  if (status.phase === 'failed') {
    return { fill: 'red', shape: 'ring', text: status.error ?? t('mqtt5-broker.status.failed') };
  }
  const listeners =
    status.listening.length > 0 ? status.listening.join(' ') : t('mqtt5-broker.status.in-process-only');
  const summary = t('mqtt5-broker.status.summary', {
    listeners,
    clients: t('mqtt5-broker.status.clients', { count: status.clients }),
  });
  if (status.error !== undefined) {
    return { fill: 'red', shape: 'ring', text: `${status.error} · ${summary}` };
  }
  return { fill: 'green', shape: 'dot', text: summary };
}

/**
 * Shows a changing status without flooding the editor: a change of phase or error shows at once;
 * client counts at most once per `intervalMs`, the last one always.
 */
export class StatusThrottle {
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeStatus | (() => NodeStatus) | undefined;
  private lastShownAt = 0;
  private stopped = false;

  constructor(
    private readonly show: (status: NodeStatus) => void,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Shows `status` now. */
  immediate(status: NodeStatus): void {
    if (this.stopped) return;
    this.cancel();
    this.display(status);
  }

  /**
   * Shows `status` now, or at the end of the current interval if one was shown just before. A
   * function is called only when its status is shown, so a status changing with every message
   * (a count, a translated text) costs nothing between two displays.
   */
  throttled(status: NodeStatus | (() => NodeStatus)): void {
    if (this.stopped) return;
    this.pending = status;
    if (this.timer !== undefined) return;
    const wait = this.lastShownAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Drops anything pending; nothing shows after this. */
  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  private flush(): void {
    this.timer = undefined;
    const status = this.pending;
    this.pending = undefined;
    if (status !== undefined) this.display(typeof status === 'function' ? status() : status);
  }

  private cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private display(status: NodeStatus): void {
    this.lastShownAt = this.now();
    this.show(status);
  }
}
