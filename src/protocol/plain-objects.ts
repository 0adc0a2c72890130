import type { AckPacket, AckType } from './acks';
import type { PubackPacket, PubcompPacket, PublishPacket, PubrecPacket, PubrelPacket, QoS } from './types';

/**
 * Constructors for the packet objects made once per message (PUBLISH and its acknowledgements).
 *
 * Why not object literals: V8 keeps an allocation site for every object and array literal, and
 * when one garbage collection finds nearly all of a site's recent objects alive (a burst of
 * messages in flight at the moment it runs), it decides to allocate every later object of that
 * site straight in the old generation, and does not go back on it. A broker under load then
 * runs a major GC about every second, for the rest of the process. A process with a large heap
 * (Node-RED) is the likelier to be caught, and pays the most for it: the measured QoS 1 fan-in
 * rate fell by a third (docs/benchmarks.md). Objects made with `new` have no allocation site.
 *
 * The prototype is `Object.prototype`, so these are plain objects: they equal (`deepStrictEqual`)
 * the literals they replace, and the optional fields are only there when set, as before.
 */

interface PublishConstructor {
  new (topic: string, payload: Buffer, qos: QoS, retain: boolean, dup: boolean): PublishPacket;
  prototype: object;
}

export const PublishObject = function PublishObject(
  this: PublishPacket,
  topic: string,
  payload: Buffer,
  qos: QoS,
  retain: boolean,
  dup: boolean,
): void {
  this.type = 'publish';
  this.topic = topic;
  this.payload = payload;
  this.qos = qos;
  this.retain = retain;
  this.dup = dup;
} as unknown as PublishConstructor;
PublishObject.prototype = Object.prototype;

interface AckConstructor {
  new (type: 'puback', packetId: number, reasonCode: number): PubackPacket;
  new (type: 'pubrec', packetId: number, reasonCode: number): PubrecPacket;
  new (type: 'pubrel', packetId: number, reasonCode: number): PubrelPacket;
  new (type: 'pubcomp', packetId: number, reasonCode: number): PubcompPacket;
  new (type: AckType, packetId: number, reasonCode: number): AckPacket;
  prototype: object;
}

export const AckObject = function AckObject(
  this: AckPacket,
  type: AckType,
  packetId: number,
  reasonCode: number,
): void {
  this.type = type;
  this.packetId = packetId;
  this.reasonCode = reasonCode;
} as unknown as AckConstructor;
AckObject.prototype = Object.prototype;
