import { MqttError } from '../protocol/errors';
import { ReasonCode } from '../protocol/reason-codes';

const MAX_PACKET_ID = 0xffff;

/**
 * Packet Identifiers of one session (spec 2.2.1): non-zero 16-bit numbers, each used by at most
 * one unacknowledged PUBLISH, SUBSCRIBE or UNSUBSCRIBE at a time [MQTT-2.2.1-3]. Allocation walks
 * forward from the last id handed out, so a released id is not reused at once.
 */
export class PacketIdAllocator {
  private readonly inUse = new Set<number>();
  private last = 0;

  get size(): number {
    return this.inUse.size;
  }

  /** A free id, now in use. Throws 0x91 when all 65,535 are in use. */
  allocate(): number {
    if (this.inUse.size >= MAX_PACKET_ID) {
      throw new MqttError(ReasonCode.PacketIdentifierInUse, 'all 65535 packet identifiers are in use');
    }
    let id = this.last;
    do {
      id = id >= MAX_PACKET_ID ? 1 : id + 1;
    } while (this.inUse.has(id));
    this.last = id;
    this.inUse.add(id);
    return id;
  }

  /** Marks an id as in use (e.g. one restored with a session). */
  reserve(id: number): void {
    this.inUse.add(id);
  }

  has(id: number): boolean {
    return this.inUse.has(id);
  }

  release(id: number): void {
    this.inUse.delete(id);
  }

  clear(): void {
    this.inUse.clear();
  }
}
