/**
 * When to try again after a connection is lost: exponential backoff from `minDelayMs` to
 * `maxDelayMs`, with "full jitter" (a random delay between half and all of the backoff) so that
 * many clients cut off together do not reconnect together. A connection that stayed up for
 * `stableAfterMs` resets the backoff.
 */
export interface ReconnectOptions {
  /** First delay; 1000 ms by default. */
  minDelayMs?: number;
  /** Largest delay; 30,000 ms by default. */
  maxDelayMs?: number;
  /** Growth per failed attempt; 2 by default. */
  factor?: number;
  /** A connection up this long resets the backoff; 10,000 ms by default. */
  stableAfterMs?: number;
  /** A number in [0, 1); `Math.random` by default. */
  random?: () => number;
}

export class ReconnectPolicy {
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly factor: number;
  private readonly stableAfter: number;
  private readonly random: () => number;
  private attempt = 0;
  private connectedAt: number | undefined;

  constructor(options: ReconnectOptions = {}) {
    this.minDelay = Math.max(0, options.minDelayMs ?? 1000);
    this.maxDelay = Math.max(this.minDelay, options.maxDelayMs ?? 30_000);
    this.factor = Math.max(1, options.factor ?? 2);
    this.stableAfter = options.stableAfterMs ?? 10_000;
    this.random = options.random ?? Math.random;
  }

  /** Failed attempts since the last stable connection. */
  get attempts(): number {
    return this.attempt;
  }

  /** A connection was accepted (CONNACK success). */
  connected(now: number): void {
    this.connectedAt = now;
  }

  /** The connection (or the attempt) ended: returns how long to wait before the next attempt. */
  disconnected(now: number): number {
    if (this.connectedAt !== undefined && now - this.connectedAt >= this.stableAfter) this.attempt = 0;
    this.connectedAt = undefined;
    const backoff = Math.min(this.maxDelay, this.minDelay * this.factor ** this.attempt);
    this.attempt++;
    const jittered = backoff / 2 + (this.random() * backoff) / 2;
    return Math.round(Math.max(this.minDelay, Math.min(this.maxDelay, jittered)));
  }

  reset(): void {
    this.attempt = 0;
    this.connectedAt = undefined;
  }
}
