import type { Mqtt5Connection } from './lib/connection-api';
import { outgoingMessage, type PublishDefaults } from './lib/msg-fields';
import type {
  DoneFunction,
  NodeAPI,
  NodeDefinition,
  NodeInstance,
  NodeMessage,
  Translate,
} from './lib/node-red-types';
import { bounded, ConnectionBinding, findConnection } from './lib/out-binding';
import { readPublishDefaults, staticDefinition, typedPublishDefaults } from './lib/out-defaults';
import { countFailure, type OutFigures, OutFlight, type OutNodeContext } from './lib/out-flight';
import { refuseEverything, settingProblemText } from './lib/out-problems';

/**
 * The `mqtt5 out` node: each msg becomes one PUBLISH on the node's `mqtt5-connection`. This file
 * wires the pieces: settings → `PublishDefaults`, msg → `outgoingMessage` → `connection.publishWith`,
 * its outcome → `done` through an `OutFlight` (with `msg.reasonCode` on failure), figures → status. `done()` waits for
 * the PUBACK or PUBCOMP at QoS 1 and 2, and for the write at QoS 0. Publishes are not serialized:
 * many msgs may be in flight at once, within the connection's windows and offline queue.
 */

const NS = 'mqtt5-out';

function register(RED: NodeAPI): void {
  const t: Translate = (key, substitutions) => RED._(key, substitutions);

  function OutNode(this: NodeInstance, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const defaults = readPublishDefaults(staticDefinition(definition));
    const connection = findConnection(RED, definition);
    if (!defaults.ok) {
      refuseEverything(this, settingProblemText(t, NS, defaults.problem));
      return;
    }
    if (connection === undefined) {
      refuseEverything(this, t(`${NS}.errors.connection-missing`));
      return;
    }

    // Whether any setting is a typed input other than text (else the deploy-time defaults hold).
    const typedInputs = typedPublishDefaults(definition, () => undefined) !== undefined;
    const figures: OutFigures = { sent: 0, failed: 0, lastFailure: '' };
    const binding = new ConnectionBinding(
      this.id,
      connection,
      (status) => this.status(status),
      () => figureText(t, figures),
    );
    const context: OutNodeContext = { figures, t, refresh: () => binding.refresh() };
    binding.start();

    this.on('input', (msg, _send, done) => {
      const action = msg['action'];
      if (action !== undefined && action !== null && action !== '') {
        control(connection, action, msg, done, t);
        return;
      }
      // Typed inputs (msg, flow, global, env) are evaluated for each msg, before the mapping.
      const typed = typedInputs
        ? typedPublishDefaults(definition, (value, type) =>
            RED.util?.evaluateNodeProperty(value, type, this, msg),
          )
        : undefined;
      if (typed !== undefined && !typed.ok) {
        done(new Error(settingProblemText(t, NS, typed.problem)));
        return;
      }
      publish(connection, typed?.value ?? defaults.value, msg, done, context);
    });

    this.on('close', (_removed, done) => {
      bounded(binding.stop()).then(() => done());
    });
  }

  RED.nodes.registerType('mqtt5 out', OutNode);
}

/**
 * Publishes the msg; its `OutFlight` ends it with `done`. A msg that maps to no valid PUBLISH, or
 * that the connection refuses at once, fails here.
 */
function publish(
  connection: Mqtt5Connection,
  defaults: PublishDefaults,
  msg: NodeMessage,
  done: DoneFunction,
  context: OutNodeContext,
): void {
  let message: ReturnType<typeof outgoingMessage>;
  try {
    message = outgoingMessage(msg, defaults);
  } catch (error) {
    countFailure(context, msg, done, error instanceof Error ? error : new Error(String(error)));
    return;
  }
  if (!message.ok) {
    countFailure(context, msg, done, new Error(connection.describe(message.problem)));
    return;
  }
  const flight = new OutFlight(context, msg, done, message.value.topic);
  try {
    connection.publishWith(message.value, flight);
  } catch (error) {
    flight.reject(error);
  }
}

/** `msg.action` `connect` (with `msg.broker` overrides) or `disconnect`, as core `mqtt out` has. */
function control(
  connection: Mqtt5Connection,
  action: unknown,
  msg: NodeMessage,
  done: DoneFunction,
  t: Translate,
): void {
  if (action !== 'connect' && action !== 'disconnect') {
    done(new Error(t(`${NS}.errors.action-invalid`, { action: String(action) })));
    return;
  }
  connection.control(action, msg).then(
    () => done(),
    (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
  );
}

/** `12 sent · last failure 0x87`. */
function figureText(t: Translate, figures: OutFigures): string {
  const parts: string[] = [];
  if (figures.sent > 0) parts.push(t(`${NS}.status.sent`, { count: figures.sent }));
  if (figures.failed > 0) {
    parts.push(
      figures.lastFailure === ''
        ? t(`${NS}.status.failed`, { count: figures.failed })
        : t(`${NS}.status.failed-code`, { count: figures.failed, code: figures.lastFailure }),
    );
  }
  return parts.join(' · ');
}

export = register;
