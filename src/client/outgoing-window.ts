import { InFlightObject } from './plain-objects';
import type { PendingPublish } from './types';

/** Where an outgoing QoS 1 or 2 publish stands (spec 4.3.2, 4.3.3). */
export type InFlightStage = 'puback' | 'pubrec' | 'pubcomp';

export interface InFlight {
  packetId: number;
  pending: PendingPublish;
  stage: InFlightStage;
}

/**
 * Outgoing QoS 1 and 2 publishes not yet acknowledged, in the order they were sent. The server's
 * Receive Maximum bounds how many may be unacknowledged at once [MQTT-3.3.4-7]; a publish awaiting
 * PUBCOMP still counts, until the PUBCOMP [MQTT-4.9.0-2].
 */
export class OutgoingWindow {
  private readonly flights = new Map<number, InFlight>();
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

  add(packetId: number, pending: PendingPublish, stage: InFlightStage): InFlight {
    const flight = new InFlightObject(packetId, pending, stage);
    this.flights.set(packetId, flight);
    return flight;
  }

  get(packetId: number): InFlight | undefined {
    return this.flights.get(packetId);
  }

  delete(packetId: number): void {
    this.flights.delete(packetId);
  }

  /** Everything in flight, oldest first (the resend order [MQTT-4.6.0-1]). */
  all(): InFlight[] {
    return [...this.flights.values()];
  }

  clear(): void {
    this.flights.clear();
  }
}
