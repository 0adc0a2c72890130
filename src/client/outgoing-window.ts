import type { InFlightStage, PendingPublish } from './types';

export type { InFlightStage } from './types';

/**
 * Outgoing QoS 1 and 2 publishes not yet acknowledged, in the order they were sent. The server's
 * Receive Maximum bounds how many may be unacknowledged at once [MQTT-3.3.4-7]; a publish awaiting
 * PUBCOMP still counts, until the PUBCOMP [MQTT-4.9.0-2].
 */
export class OutgoingWindow {
  private readonly flights = new Map<number, PendingPublish>();
  private capacity = 65535;

  /** The server's Receive Maximum (65,535 when it sent none). */
  setCapacity(receiveMaximum: number): void {
    this.capacity = Math.max(1, receiveMaximum);
  }

  get size(): number {
    return this.flights.size;
  }

  hasRoom(): boolean {
    return this.flights.size < this.capacity;
  }

  /** Puts `pending` in flight under `packetId`, at `stage`. */
  add(packetId: number, pending: PendingPublish, stage: InFlightStage): void {
    pending.packetId = packetId;
    pending.stage = stage;
    this.flights.set(packetId, pending);
  }

  get(packetId: number): PendingPublish | undefined {
    return this.flights.get(packetId);
  }

  delete(packetId: number): void {
    this.flights.delete(packetId);
  }

  /** Everything in flight, oldest first (the resend order [MQTT-4.6.0-1]). */
  all(): PendingPublish[] {
    return [...this.flights.values()];
  }

  clear(): void {
    this.flights.clear();
  }
}
