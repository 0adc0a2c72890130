import { randomBytes } from 'node:crypto';
import type { PublishPacket } from '../src/protocol/types';
import type { Mqtt5Connection } from './lib/connection-api';
import { applyReceivedFields, outgoingMessage, type PublishDefaults, receivedFields } from './lib/msg-fields';
import type {
  DoneFunction,
  NodeAPI,
  NodeDefinition,
  NodeInstance,
  NodeMessage,
  SendFunction,
  Translate,
} from './lib/node-red-types';
import { bounded, ConnectionBinding, findConnection } from './lib/out-binding';
import { evaluatedDefinition, staticDefinition } from './lib/out-defaults';
import { markFailure, publishFailure } from './lib/out-failure';
import { refuseEverything, settingProblemText } from './lib/out-problems';
import { ok, type Result } from './lib/problems';
import { correlationKey, PendingRequests } from './lib/request-pending';
import { ReplyTopics } from './lib/request-replies';
import { readRequestSettings } from './lib/request-settings';

/**
 * The `mqtt5 request` node: publishes each msg as a request carrying a response topic and
 * correlation data, waits for the reply with the same correlation data, and sends the msg on
 * with the reply's fields (topic, payload, properties) in place of its own, keeping the rest, as
 * `http request` does. The pieces: settings (`readRequestSettings`), the reply topic and its one
 * subscription (`ReplyTopics`), the bounded table of waiting requests (`PendingRequests`).
 */

const NS = 'mqtt5-request';

/** A request waiting for its reply. */
interface Waiting {
  msg: NodeMessage;
  send: SendFunction;
  done: DoneFunction;
  /** The response topic it asked for. */
  topic: string;
}

interface Counts {
  answered: number;
  timedOut: number;
  failed: number;
  unmatched: number;
}

function register(RED: NodeAPI): void {
  const t: Translate = (key, substitutions) => RED._(key, substitutions);

  function RequestNode(this: NodeInstance, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const parsed = readRequestSettings(staticDefinition(definition));
    if (!parsed.ok) {
      refuseEverything(this, settingProblemText(t, NS, parsed.problem));
      return;
    }
    const connection = findConnection(RED, definition);
    if (connection === undefined) {
      refuseEverything(this, t(`${NS}.errors.connection-missing`));
      return;
    }
    const conn: Mqtt5Connection = connection;
    const settings = parsed.value;
    const counts: Counts = { answered: 0, timedOut: 0, failed: 0, unmatched: 0 };

    const pending: PendingRequests<Waiting> = new PendingRequests({
      limit: settings.maxPending,
      timeoutMs: settings.timeoutMs,
      onTimeout: (waiting) => {
        counts.timedOut++;
        replies.settled(waiting.topic);
        binding.refresh();
        if (settings.timeoutOutput) {
          waiting.send([null, waiting.msg]);
          waiting.done();
        } else {
          waiting.done(new Error(t(`${NS}.errors.timeout`, { seconds: settings.timeoutMs / 1000 })));
        }
      },
    });

    const replies = new ReplyTopics({
      connection,
      subscriberId: this.id,
      configured: settings.replyTopic,
      handler: (packet) => onReply(packet),
      inUse: (topic) => pending.count((w) => w.topic === topic) > 0,
      onError: (topic, error) => {
        this.error(t(`${NS}.errors.subscribe-failed`, { topic, reason: publishFailure(error).reason }));
      },
    });

    const binding = new ConnectionBinding(
      this.id,
      connection,
      (status) => this.status(status),
      () => figureText(t, pending.size, counts),
      (state) => {
        // Subscribe as soon as the connection is up (and move if its Response Information changed).
        if (state.phase === 'connected' && connection.protocolLevel === 5) replies.topic();
      },
    );

    function onReply(packet: PublishPacket): void {
      const data = packet.properties?.correlationData;
      const waiting = data === undefined ? undefined : pending.take(correlationKey(data));
      if (waiting === undefined) {
        counts.unmatched++;
        binding.refresh();
        return;
      }
      counts.answered++;
      replies.settled(waiting.topic);
      binding.refresh();
      const reply = receivedFields(packet, settings.output);
      applyReceivedFields(waiting.msg, reply.fields);
      if (reply.jsonError !== undefined) {
        waiting.done(new Error(conn.describe({ key: 'json-invalid', params: { reason: reply.jsonError } })));
        return;
      }
      waiting.send(waiting.msg);
      waiting.done();
    }

    binding.start();

    this.on('input', (msg, send, done) => {
      const refusal = request(msg, send, done);
      if (refusal !== undefined) {
        counts.failed++;
        done(refusal);
      }
      binding.refresh();
    });

    this.on('close', (_removed, done) => {
      const closed = new Error(t(`${NS}.errors.closed`));
      for (const waiting of pending.drain()) waiting.done(closed);
      bounded(Promise.all([replies.close(), binding.stop()])).then(() => done());
    });

    /** The publish settings for this msg: typed inputs (msg, flow, global, env) evaluated. */
    const typedDefaults = (msg: NodeMessage): Result<PublishDefaults> => {
      const evaluated = evaluatedDefinition(definition, (value, type) =>
        RED.util?.evaluateNodeProperty(value, type, this, msg),
      );
      if (evaluated === undefined) return ok(settings.publish);
      if (!evaluated.ok) return evaluated;
      const read = readRequestSettings(evaluated.value);
      return read.ok ? ok(read.value.publish) : read;
    };

    /**
     * Publishes the request and records it as waiting. A refusal before publishing (too many
     * waiting, a bad msg) is returned; a failed publish settles the msg when it happens.
     */
    function request(msg: NodeMessage, send: SendFunction, done: DoneFunction): Error | undefined {
      if (conn.protocolLevel !== 5) return new Error(t(`${NS}.errors.needs-v5`));
      if (pending.full) return new Error(t(`${NS}.errors.too-many`, { max: settings.maxPending }));
      const correlation = correlationOf(msg['correlationData']);
      if (correlation === undefined) return new Error(conn.describe({ key: 'correlation-data-invalid' }));
      const publishDefaults = typedDefaults(msg);
      if (!publishDefaults.ok) return new Error(settingProblemText(t, NS, publishDefaults.problem));
      const topic = replies.topic();
      const message = outgoingMessage(
        { ...msg, responseTopic: topic, correlationData: correlation },
        publishDefaults.value,
      );
      if (!message.ok) return new Error(conn.describe(message.problem));
      const key = correlationKey(correlation);
      const waiting: Waiting = { msg, send, done, topic };
      if (pending.add(key, waiting) === 'duplicate') {
        return new Error(t(`${NS}.errors.correlation-in-use`, { correlation: key }));
      }
      conn.publish(message.value).catch((error: unknown) => {
        if (!pending.remove(key, waiting)) return;
        counts.failed++;
        replies.settled(topic);
        binding.refresh();
        const failure = publishFailure(error);
        markFailure(msg, failure);
        done(
          new Error(t(`${NS}.errors.publish-failed`, { topic: message.value.topic, reason: failure.reason })),
        );
      });
      return undefined;
    }
  }

  RED.nodes.registerType('mqtt5 request', RequestNode);
}

/** The msg's correlation data (a Buffer, or a string as UTF-8), else a random 16-byte id. */
function correlationOf(value: unknown): Buffer | undefined {
  if (value === undefined || value === null || value === '') return randomBytes(16);
  if (Buffer.isBuffer(value)) return value.length > 0 ? value : randomBytes(16);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return undefined;
}

/** `3 waiting · 120 answered · 2 timed out · 1 failed · 4 unmatched`, leaving out the zeros. */
function figureText(t: Translate, waiting: number, counts: Counts): string {
  const parts: string[] = [];
  if (waiting > 0) parts.push(t(`${NS}.status.waiting`, { count: waiting }));
  if (counts.answered > 0) parts.push(t(`${NS}.status.answered`, { count: counts.answered }));
  if (counts.timedOut > 0) parts.push(t(`${NS}.status.timed-out`, { count: counts.timedOut }));
  if (counts.failed > 0) parts.push(t(`${NS}.status.failed`, { count: counts.failed }));
  if (counts.unmatched > 0) parts.push(t(`${NS}.status.unmatched`, { count: counts.unmatched }));
  return parts.join(' · ');
}

export = register;
