import { MqttError } from '../protocol/errors';
import { ReasonCode } from '../protocol/reason-codes';

const MAX_PACKET_ID = 0xffff;

/**
 * Packet Identifiers of one session (spec 2.2.1): non-zero 16-bit numbers, each used by at most
 * one unacknowledged PUBLISH, SUBSCRIBE or UNSUBSCRIBE at a time [MQTT-2.2.1-3]. Allocation walks
 * forward from the last id handed out, so a released id is not reused at once.
 */
export class PacketIdAllocator {
  /** One flag per id (a flag array rather than a Set: one publish in flight takes and frees one). */
  private readonly inUse = new Uint8Array(MAX_PACKET_ID + 1);
  private count = 0;
  private last = 0;

  get size(): number {
    return this.count;
  }

  /** A free id, now in use. Throws 0x91 when all 65,535 are in use. */
  allocate(): number {
    if (this.count >= MAX_PACKET_ID) {
      throw new MqttError(ReasonCode.PacketIdentifierInUse, 'all 65535 packet identifiers are in use');
    }
    let id = this.last;
    do {
      id = id >= MAX_PACKET_ID ? 1 : id + 1;
    } while (this.inUse[id] === 1);
    this.last = id;
    this.inUse[id] = 1;
    this.count++;
    return id;
  }

  /** Marks an id as in use (e.g. one restored with a session). */
  reserve(id: number): void {
    if (!Number.isInteger(id) || id < 1 || id > MAX_PACKET_ID || this.inUse[id] === 1) return;
    this.inUse[id] = 1;
    this.count++;
  }

  has(id: number): boolean {
    return Number.isInteger(id) && id >= 1 && id <= MAX_PACKET_ID && this.inUse[id] === 1;
  }

  release(id: number): void {
    if (!Number.isInteger(id) || id < 1 || id > MAX_PACKET_ID || this.inUse[id] !== 1) return;
    this.inUse[id] = 0;
    this.count--;
  }

  clear(): void {
    this.inUse.fill(0);
    this.count = 0;
  }
}
