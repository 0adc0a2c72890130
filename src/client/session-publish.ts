import { packetLength } from '../protocol/encode';
import { isFailure, ReasonCode, reasonCodeName } from '../protocol/reason-codes';
import type { PubackPacket, PubcompPacket, PublishPacket, PubrecPacket } from '../protocol/types';
import { validateTopicName } from '../topic';
import { publishProblem } from './capabilities';
import { ClientError, notConnected, toClientError } from './errors';
import { CompletedObject, PendingObject } from './plain-objects';
import { newRequestId, type SessionContext, send } from './session-context';
import type { OutgoingMessage, PendingPublish } from './types';

/** Outgoing publishes: queue, window, topic aliases and the QoS 1 and 2 acknowledgement flows. */

function failed(ctx: SessionContext, requestId: number, error: unknown): void {
  ctx.events.push({ type: 'failed', requestId, kind: 'publish', error: toClientError(error) });
}

function completed(
  ctx: SessionContext,
  requestId: number,
  reasonCode: number,
  ack?: PubackPacket | PubcompPacket,
) {
  ctx.events.push(new CompletedObject(requestId, 'publish', [reasonCode], ack?.properties));
}

/** The PUBLISH for `message`, with the full topic and no alias. */
function toPacket(message: OutgoingMessage, packetId: number | undefined, dup: boolean): PublishPacket {
  return {
    type: 'publish',
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain ?? false,
    dup,
    packetId,
    properties: withoutAlias(message.properties),
  };
}

/**
 * The message's properties without its topic alias (the alias is the connection's to give). The
 * object is shared, not copied, when it has no alias: the encoder only reads it.
 */
function withoutAlias(properties: OutgoingMessage['properties']): PublishPacket['properties'] {
  if (properties === undefined) return {};
  if (properties.topicAlias === undefined) return properties;
  const { topicAlias: _alias, ...rest } = properties;
  return rest;
}

/** Validates a topic name, remembering the last valid one (a flow mostly publishes to one topic). */
function checkTopic(ctx: SessionContext, topic: string): void {
  if (topic === ctx.lastValidTopic) return;
  validateTopicName(topic);
  ctx.lastValidTopic = topic;
}

/** A new publish request. Returns its request id; the outcome comes as a 'completed' or 'failed' event. */
export function requestPublish(ctx: SessionContext, message: OutgoingMessage): number {
  const requestId = newRequestId(ctx);
  let pending: PendingPublish;
  // Built once: its size bounds the queue, and a publish that goes out at once is written as is.
  let packet: PublishPacket;
  try {
    checkTopic(ctx, message.topic);
    packet = toPacket(message, message.qos > 0 ? 1 : undefined, false);
    pending = new PendingObject(requestId, message, packetLength(packet, ctx.options.protocolLevel));
    if (ctx.state === 'online') {
      ctx.outAliases.check(message.properties?.topicAlias);
      const problem = ctx.caps === undefined ? undefined : publishProblem(message, pending.bytes, ctx.caps);
      if (problem !== undefined) throw problem;
    }
  } catch (error) {
    failed(ctx, requestId, error);
    return requestId;
  }
  if (ctx.state !== 'online' && message.qos === 0 && !ctx.options.queueQoS0WhileOffline) {
    failed(ctx, requestId, notConnected(`publish QoS 0 to ${message.topic}`));
    return requestId;
  }
  if (ctx.state === 'online' && (message.qos === 0 || (ctx.queue.length === 0 && ctx.window.hasRoom()))) {
    sendNew(ctx, pending, packet, true);
    return requestId;
  }
  try {
    ctx.queue.push(pending, ctx.state !== 'online');
  } catch (error) {
    failed(ctx, requestId, error);
  }
  return requestId;
}

/**
 * Writes a publish for the first time on this connection. `built` is its packet when already made
 * (with a placeholder packet id), and `checked` says the server's limits were checked just now.
 */
function sendNew(ctx: SessionContext, pending: PendingPublish, built?: PublishPacket, checked = false): void {
  const { message, requestId } = pending;
  const problem =
    checked || ctx.caps === undefined ? undefined : publishProblem(message, pending.bytes, ctx.caps);
  if (problem !== undefined) {
    failed(ctx, requestId, problem);
    return;
  }
  let wire: { topic: string; alias: number | undefined };
  try {
    wire = ctx.outAliases.assign(message.topic, message.properties?.topicAlias);
  } catch (error) {
    failed(ctx, requestId, error);
    return;
  }
  const packetId = message.qos > 0 ? ctx.ids.allocate() : undefined;
  const packet = built ?? toPacket(message, packetId, false);
  packet.packetId = packetId;
  packet.topic = wire.topic;
  if (wire.alias !== undefined) packet.properties = { ...packet.properties, topicAlias: wire.alias };
  if (packetId !== undefined) ctx.window.add(packetId, pending, message.qos === 1 ? 'puback' : 'pubrec');
  send(ctx, packet);
  if (packetId === undefined) completed(ctx, requestId, ReasonCode.Success);
}

/** Moves queued publishes onto the wire while the server's Receive Maximum allows. */
export function pump(ctx: SessionContext): void {
  while (ctx.state === 'online') {
    const next = ctx.queue.peek();
    if (next === undefined || (next.message.qos > 0 && !ctx.window.hasRoom())) return;
    ctx.queue.shift();
    sendNew(ctx, next);
  }
}

/**
 * After CONNACK. With the session present, every unacknowledged PUBLISH goes again with DUP set,
 * and every PUBREL again, in the original order [MQTT-4.4.0-1] [MQTT-3.3.1-1]. Without it, the
 * server has forgotten them: a QoS 2 publish it had acknowledged with PUBREC is complete, and the
 * others go out again as new publishes, ahead of the queue.
 */
export function resumeInFlight(ctx: SessionContext, sessionPresent: boolean): void {
  const flights = ctx.window.all();
  if (sessionPresent) {
    for (const flight of flights) {
      if (flight.stage === 'pubcomp') {
        send(ctx, { type: 'pubrel', packetId: flight.packetId, reasonCode: ReasonCode.Success });
      } else {
        // Aliases do not outlive a connection [MQTT-3.3.2-7]: the full topic goes again.
        send(ctx, toPacket(flight.message, flight.packetId, true));
      }
    }
    return;
  }
  ctx.window.clear();
  ctx.ids.clear();
  const again: PendingPublish[] = [];
  for (const flight of flights) {
    if (flight.stage === 'pubcomp') completed(ctx, flight.requestId, ReasonCode.Success);
    else {
      flight.packetId = 0;
      again.push(flight);
    }
  }
  ctx.queue.unshift(again);
}

function refused(packet: PubackPacket | PubrecPacket | PubcompPacket, topic: string): ClientError {
  const code = packet.reasonCode;
  const name = `${reasonCodeName(code)} (0x${code.toString(16).padStart(2, '0')})`;
  return new ClientError(
    code,
    `publish to ${topic} failed: ${packet.type} ${name}`,
    packet.properties?.reasonString,
  );
}

function finish(ctx: SessionContext, packetId: number): void {
  ctx.window.delete(packetId);
  ctx.ids.release(packetId);
}

export function handlePuback(ctx: SessionContext, packet: PubackPacket): void {
  const flight = ctx.window.get(packet.packetId);
  // An ack for an id not in flight (e.g. after the session was dropped) changes nothing.
  if (flight === undefined || flight.stage !== 'puback') return;
  finish(ctx, packet.packetId);
  if (isFailure(packet.reasonCode)) failed(ctx, flight.requestId, refused(packet, flight.message.topic));
  else completed(ctx, flight.requestId, packet.reasonCode, packet);
  pump(ctx);
}

export function handlePubrec(ctx: SessionContext, packet: PubrecPacket): void {
  const flight = ctx.window.get(packet.packetId);
  if (flight === undefined) {
    // Spec 3.6.2.1: a PUBREC for an id not in flight is answered with PUBREL 0x92.
    const code = ctx.options.protocolLevel === 5 ? ReasonCode.PacketIdentifierNotFound : ReasonCode.Success;
    send(ctx, { type: 'pubrel', packetId: packet.packetId, reasonCode: code });
    return;
  }
  if (flight.stage === 'puback') return;
  if (isFailure(packet.reasonCode)) {
    // A failing PUBREC ends the exchange: no PUBREL follows (spec 4.3.3).
    finish(ctx, packet.packetId);
    failed(ctx, flight.requestId, refused(packet, flight.message.topic));
    pump(ctx);
    return;
  }
  flight.stage = 'pubcomp';
  send(ctx, { type: 'pubrel', packetId: packet.packetId, reasonCode: ReasonCode.Success });
}

export function handlePubcomp(ctx: SessionContext, packet: PubcompPacket): void {
  const flight = ctx.window.get(packet.packetId);
  if (flight === undefined || flight.stage !== 'pubcomp') return;
  finish(ctx, packet.packetId);
  if (isFailure(packet.reasonCode)) failed(ctx, flight.requestId, refused(packet, flight.message.topic));
  else completed(ctx, flight.requestId, packet.reasonCode, packet);
  pump(ctx);
}

/** Fails every publish the session still holds (the owner gave up on the client). */
export function abandonPublishes(ctx: SessionContext, error: ClientError): void {
  for (const flight of ctx.window.all()) failed(ctx, flight.requestId, error);
  for (const pending of ctx.queue.drain()) failed(ctx, pending.requestId, error);
  ctx.window.clear();
  ctx.ids.clear();
}
