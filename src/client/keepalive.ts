/**
 * Keep Alive from the client's side (spec 3.1.2.10): when the client has sent nothing for the
 * Keep Alive interval it sends PINGREQ [MQTT-3.1.2-20], and a PINGRESP that does not come within
 * `pingTimeoutMs` means the connection is dead. A Keep Alive of 0 turns the mechanism off. The
 * interval in use is the Server Keep Alive from CONNACK when the server sent one [MQTT-3.1.2-21].
 */
export type KeepAliveDecision = 'ping' | 'timeout' | undefined;

export class KeepAlive {
  private intervalMs: number;
  private lastSent = 0;
  private pingSentAt: number | undefined;

  constructor(
    keepAliveSeconds: number,
    private readonly pingTimeoutMs: number,
  ) {
    this.intervalMs = keepAliveSeconds * 1000;
  }

  /** Starts over for a new connection, counting from `now`. */
  reset(keepAliveSeconds: number, now: number): void {
    this.intervalMs = keepAliveSeconds * 1000;
    this.lastSent = now;
    this.pingSentAt = undefined;
  }

  get interval(): number {
    return this.intervalMs;
  }

  /** The client wrote a packet. */
  sent(now: number): void {
    this.lastSent = now;
  }

  /** A PINGRESP arrived. */
  pong(): void {
    this.pingSentAt = undefined;
  }

  /** When `check` next has something to do; undefined when Keep Alive is off. */
  deadline(): number | undefined {
    if (this.intervalMs <= 0) return undefined;
    if (this.pingSentAt !== undefined) return this.pingSentAt + this.pingTimeoutMs;
    return this.lastSent + this.intervalMs;
  }

  /** 'ping' (and the PINGREQ counts as sent now), 'timeout', or nothing to do yet. */
  check(now: number): KeepAliveDecision {
    if (this.intervalMs <= 0) return undefined;
    if (this.pingSentAt !== undefined)
      return now >= this.pingSentAt + this.pingTimeoutMs ? 'timeout' : undefined;
    if (now < this.lastSent + this.intervalMs) return undefined;
    this.pingSentAt = now;
    this.lastSent = now;
    return 'ping';
  }
}
