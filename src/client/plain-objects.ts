import type { AckProperties, PublishPacket } from '../protocol/types';
import type { RequestResult } from './driver-types';
import type { ClientEvent, OutgoingMessage, PendingPublish, RequestKind } from './types';

/**
 * Constructors for the client's objects made once per message: those a publish holds while in
 * flight, and those a burst of messages holds until the driver acts on them.
 *
 * Why not object literals: V8 keeps an allocation site for every literal, and when one garbage
 * collection finds nearly all of a site's recent objects alive (thousands of publishes in flight,
 * a chunk's worth of messages waiting), it allocates that site's later objects straight in the old
 * generation, for good; major collections then run about every second (see
 * `src/protocol/plain-objects.ts`). Objects made with `new` have no allocation site. The
 * prototype is `Object.prototype`, so these are plain objects, equal to the literals they replace.
 */

type MessageEvent = Extract<ClientEvent, { type: 'message' }>;
type CompletedEvent = Extract<ClientEvent, { type: 'completed' }>;

export const MessageObject = function MessageObject(this: MessageEvent, message: PublishPacket): void {
  this.type = 'message';
  this.message = message;
} as unknown as { new (message: PublishPacket): MessageEvent; prototype: object };
MessageObject.prototype = Object.prototype;

export const CompletedObject = function CompletedObject(
  this: CompletedEvent,
  requestId: number,
  kind: RequestKind,
  reasonCodes: number[],
  properties: AckProperties | undefined,
): void {
  this.type = 'completed';
  this.requestId = requestId;
  this.kind = kind;
  this.reasonCodes = reasonCodes;
  this.properties = properties;
} as unknown as {
  new (
    requestId: number,
    kind: RequestKind,
    reasonCodes: number[],
    properties: AckProperties | undefined,
  ): CompletedEvent;
  prototype: object;
};
CompletedObject.prototype = Object.prototype;

export const PendingObject = function PendingObject(
  this: PendingPublish,
  requestId: number,
  message: OutgoingMessage,
  bytes: number,
): void {
  this.requestId = requestId;
  this.message = message;
  this.bytes = bytes;
  this.packetId = 0;
  this.stage = 'puback';
} as unknown as {
  new (requestId: number, message: OutgoingMessage, bytes: number): PendingPublish;
  prototype: object;
};
PendingObject.prototype = Object.prototype;

export const ResultObject = function ResultObject(
  this: RequestResult,
  reasonCodes: number[],
  reasonString: string | undefined,
): void {
  this.reasonCodes = reasonCodes;
  this.reasonString = reasonString;
} as unknown as {
  new (reasonCodes: number[], reasonString: string | undefined): RequestResult;
  prototype: object;
};
ResultObject.prototype = Object.prototype;
