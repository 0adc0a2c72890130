import { isFailure, ReasonCode } from '../protocol/reason-codes';
import type {
  SubackPacket,
  SubscribeProperties,
  Subscription,
  UnsubackPacket,
  UnsubscribeProperties,
} from '../protocol/types';
import { isSharedSubscription, parseSharedSubscription, validateTopicFilter } from '../topic';
import { subscriptionProblem } from './capabilities';
import { ClientError, notConnected, toClientError } from './errors';
import { newRequestId, type SessionContext, send } from './session-context';

/** SUBSCRIBE and UNSUBSCRIBE requests and their acks. */

type Kind = 'subscribe' | 'unsubscribe';

function failed(ctx: SessionContext, requestId: number, kind: Kind, error: unknown): number {
  ctx.events.push({ type: 'failed', requestId, kind, error: toClientError(error) });
  return requestId;
}

function checkFilter(filter: string): void {
  if (isSharedSubscription(filter)) parseSharedSubscription(filter);
  else validateTopicFilter(filter);
}

/**
 * Subscribes. Filters the server said it cannot take fail the whole request locally, with the
 * reason code the server would have used (0x9E, 0xA1, 0xA2), before anything is sent.
 */
export function requestSubscribe(
  ctx: SessionContext,
  subscriptions: readonly Subscription[],
  properties: SubscribeProperties | undefined,
): number {
  const requestId = newRequestId(ctx);
  const caps = ctx.caps;
  if (ctx.state !== 'online' || caps === undefined)
    return failed(ctx, requestId, 'subscribe', notConnected('subscribe'));
  if (subscriptions.length === 0) {
    // [MQTT-3.8.3-2] a SUBSCRIBE carries at least one filter.
    return failed(
      ctx,
      requestId,
      'subscribe',
      new ClientError(ReasonCode.ProtocolError, 'subscribe to no filters'),
    );
  }
  const withIdentifier = properties?.subscriptionIdentifier !== undefined;
  try {
    for (const s of subscriptions) {
      checkFilter(s.topicFilter);
      const problem = subscriptionProblem(s, withIdentifier, caps);
      if (problem !== undefined) throw problem;
    }
  } catch (error) {
    return failed(ctx, requestId, 'subscribe', error);
  }
  const packetId = ctx.ids.allocate();
  ctx.acks.set(packetId, { requestId, kind: 'subscribe', count: subscriptions.length });
  send(ctx, { type: 'subscribe', packetId, subscriptions: [...subscriptions], properties });
  return requestId;
}

export function requestUnsubscribe(
  ctx: SessionContext,
  filters: readonly string[],
  properties: UnsubscribeProperties | undefined,
): number {
  const requestId = newRequestId(ctx);
  if (ctx.state !== 'online') return failed(ctx, requestId, 'unsubscribe', notConnected('unsubscribe'));
  if (filters.length === 0) {
    // [MQTT-3.10.3-2] an UNSUBSCRIBE carries at least one filter.
    const error = new ClientError(ReasonCode.ProtocolError, 'unsubscribe from no filters');
    return failed(ctx, requestId, 'unsubscribe', error);
  }
  try {
    for (const f of filters) checkFilter(f);
  } catch (error) {
    return failed(ctx, requestId, 'unsubscribe', error);
  }
  const packetId = ctx.ids.allocate();
  ctx.acks.set(packetId, { requestId, kind: 'unsubscribe', count: filters.length });
  send(ctx, { type: 'unsubscribe', packetId, topicFilters: [...filters], properties });
  return requestId;
}

/**
 * SUBACK or UNSUBACK. The request completes with one reason code per filter; when every filter
 * failed it fails instead, with the first failure code and the server's Reason String.
 */
export function handleSubAck(ctx: SessionContext, packet: SubackPacket | UnsubackPacket): void {
  const pending = ctx.acks.get(packet.packetId);
  if (pending === undefined || pending.kind !== (packet.type === 'suback' ? 'subscribe' : 'unsubscribe'))
    return;
  ctx.acks.delete(packet.packetId);
  ctx.ids.release(packet.packetId);
  // A 3.1.1 UNSUBACK has no payload: every filter succeeded.
  const codes = packet.reasonCodes.length > 0 ? packet.reasonCodes : new Array<number>(pending.count).fill(0);
  const firstFailure = codes.find((c) => isFailure(c));
  if (firstFailure !== undefined && codes.every((c) => isFailure(c))) {
    const message = `${pending.kind} refused by the server (0x${firstFailure.toString(16)})`;
    const error = new ClientError(firstFailure, message, packet.properties?.reasonString);
    failed(ctx, pending.requestId, pending.kind, error);
    return;
  }
  ctx.events.push({
    type: 'completed',
    requestId: pending.requestId,
    kind: pending.kind,
    reasonCodes: codes,
    properties: packet.properties,
  });
}

/** The connection is gone: SUBSCRIBE and UNSUBSCRIBE in flight will never be acknowledged. */
export function abandonSubAcks(ctx: SessionContext, error: ClientError): void {
  for (const [packetId, pending] of ctx.acks) {
    ctx.ids.release(packetId);
    failed(ctx, pending.requestId, pending.kind, error);
  }
  ctx.acks.clear();
}
