import type { PublishPacket } from '../src/protocol/types';
import { reasonText } from './lib/client-status';
import { type ConnectionUser, isConnectionNode } from './lib/connection-api';
import { parseControl } from './lib/in-actions';
import { runControl } from './lib/in-control';
import { parseInNode } from './lib/in-settings';
import { InStatus, refusalOf } from './lib/in-status';
import { InSubscriptions, type SettledListener } from './lib/in-subscriptions';
import { receivedFields } from './lib/msg-fields';
import type { NodeAPI, NodeDefinition, NodeInstance, NodeMessage, Translate } from './lib/node-red-types';
import { errorMessage, type Problem, problem } from './lib/problems';

/**
 * The `mqtt5 in` node: subscribes to a topic filter (or, dynamically, to those `msg.action`
 * names) on an `mqtt5-connection`, and sends one msg per message. The connection routes each
 * message to each node once, even when the filters of several nodes overlap. This file wires the
 * pieces: settings (./lib/in-settings), subscriptions (./lib/in-subscriptions), msg fields
 * (./lib/msg-fields), `msg.action` (./lib/in-actions, ./lib/in-control), status (./lib/in-status).
 */

/** A redeploy waits this long at most for the node's unsubscribes. */
const CLOSE_BOUND_MS = 5_000;

function register(RED: NodeAPI): void {
  const t: Translate = (key, substitutions) => RED._(key, substitutions);
  const describe = (p: Problem) => t(`mqtt5-in.errors.${p.key}`, p.params);

  function InNode(this: NodeInstance, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const status = new InStatus((s) => this.status(s), t);

    // 1. Settings and connection. A node that cannot work says why, and does nothing else.
    const parsed = parseInNode(definition);
    const connection = parsed.ok ? RED.nodes.getNode(parsed.value.connectionId) : undefined;
    if (!parsed.ok || !isConnectionNode(connection)) {
      const text = describe(parsed.ok ? problem('connection-missing') : parsed.problem);
      this.error(text);
      status.failed(text);
      this.on('close', (_removed, done) => {
        status.stop();
        done();
      });
      return;
    }
    const settings = parsed.value;

    // 2. Each message → one msg, with the output type of its subscription.
    let closed = false;
    const onMessage = (packet: PublishPacket): void => {
      if (closed) return;
      const datatype = subscriptions.datatypeFor(packet.topic) ?? settings.datatype;
      const { fields, jsonError } = receivedFields(packet, datatype);
      const msg: NodeMessage = fields; // a new object for each message
      status.messageReceived();
      if (jsonError !== undefined) {
        this.error(connection.describe(problem('json-invalid', { reason: jsonError })), msg);
        return;
      }
      this.send(msg);
    };

    // 3. SUBACK verdicts → status; a refusal nobody asked for by msg goes to Catch nodes here.
    const settled: SettledListener = (topic, outcome, byRequest) => {
      if (outcome.kind === 'subscribed') status.granted();
      if (outcome.kind !== 'refused') return;
      const refusal = refusalOf(outcome.error);
      status.refused(refusal);
      if (byRequest) return;
      const reason = reasonText(refusal.reasonCode, refusal.reasonString);
      this.error(describe(problem('subscribe-refused', { topic, reason })), { topic, ...refusal });
    };
    const subscriptions = new InSubscriptions(connection, this.id, onMessage, !settings.dynamic, settled);

    // 4. The connection's state → status; it coming up subscribes.
    const user: ConnectionUser = {
      id: this.id,
      onState: (state, connectionStatus) => {
        status.connectionChanged(connectionStatus, state.phase === 'connected');
        subscriptions.connectionState(state);
      },
    };
    if (settings.subscription !== undefined) void subscriptions.add(settings.subscription);
    connection.register(user);

    // 5. Dynamic: msg.action subscribe / unsubscribe / getSubscriptions / connect / disconnect.
    if (settings.dynamic) {
      this.on('input', (msg, send, done) => {
        const control = parseControl(msg);
        if (!control.ok) {
          done(new Error(describe(control.problem)));
          return;
        }
        runControl(control.value, msg, send, { connection, subscriptions, describe }).then(
          () => done(),
          (error: unknown) => done(error instanceof Error ? error : new Error(errorMessage(error))),
        );
      });
    }

    // 6. Close: a persistent session keeps its subscriptions over a redeploy, so that nothing
    //    sent meanwhile is lost; a removed node's are dropped.
    this.on('close', (removed, done) => {
      closed = true;
      status.stop();
      const keepOnServer = !removed && connection.persistentSession;
      const finished = subscriptions
        .close(keepOnServer)
        .then(() => connection.deregister(user))
        .catch((error: unknown) => this.warn(errorMessage(error)));
      bounded(finished, CLOSE_BOUND_MS).then(() => done());
    });
  }

  RED.nodes.registerType('mqtt5 in', InNode);
}

function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export = register;
