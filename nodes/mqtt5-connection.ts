import type { ConnectionCredentials } from './lib/broker-overrides';
import { clientTlsOptions } from './lib/client-tls';
import { parseConnectionNode } from './lib/connection-settings';
import { isInProcessBroker } from './lib/in-process';
import type { NodeAPI, NodeDefinition, NodeInstance, Translate } from './lib/node-red-types';
import { SharedConnection } from './lib/shared-connection';

/**
 * The `mqtt5-connection` config node: one MQTT 5.0 / 3.1.1 client connection, to a URL or to an
 * `mqtt5 broker` node in the same Node-RED (in-process, no socket), shared by reference count
 * among the `mqtt5 in`, `mqtt5 out` and `mqtt5 request` nodes that use it. The connection itself
 * is `SharedConnection` (./lib); the client is `src/client`.
 */

function register(RED: NodeAPI): void {
  const t: Translate = (key, substitutions) => RED._(key, substitutions);

  function ConnectionNode(this: NodeInstance, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const parsed = parseConnectionNode(definition);
    const credentials: ConnectionCredentials = {
      username: text(this.credentials?.['user']),
      password: text(this.credentials?.['password']),
    };
    const env = {
      translate: t,
      inProcess(brokerId: string) {
        const broker = RED.nodes.getNode(brokerId);
        if (!isInProcessBroker(broker)) throw new Error(t('mqtt5-connection.errors.broker-not-found'));
        return broker.connectInProcess();
      },
      tls: () => clientTlsOptions(RED, parsed.ok ? parsed.value.tlsConfigId : undefined),
      warn: (message: string) => this.warn(message),
    };
    if (!parsed.ok) {
      // The users show the problem as their status; nothing connects.
      const problem = t(`mqtt5-connection.errors.${parsed.problem.key}`, parsed.problem.params);
      this.error(problem);
      Object.assign(this, failedConnection(problem, t));
      return;
    }
    const connection = new SharedConnection(parsed.value, credentials, env);
    expose(this, connection);
    this.on('close', (_removed, done) => {
      connection.close().finally(() => done());
    });
  }

  RED.nodes.registerType('mqtt5-connection', ConnectionNode, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Puts the connection's methods and getters on the config node, for the user nodes (which reach
 * it through `RED.nodes.getNode`): the node object is Node-RED's, so it delegates. The getters
 * stay live (Object.assign would copy their values once).
 */
function expose(node: NodeInstance, connection: SharedConnection): void {
  const methods = {
    register: connection.register.bind(connection),
    deregister: connection.deregister.bind(connection),
    subscribe: connection.subscribe.bind(connection),
    unsubscribe: connection.unsubscribe.bind(connection),
    subscriptionsOf: connection.subscriptionsOf.bind(connection),
    publish: connection.publish.bind(connection),
    publishWith: connection.publishWith.bind(connection),
    control: connection.control.bind(connection),
    describe: connection.describe.bind(connection),
  };
  Object.assign(node, methods);
  for (const name of [
    'state',
    'protocolLevel',
    'capabilities',
    'responseInformation',
    'clientId',
    'persistentSession',
  ] as const) {
    Object.defineProperty(node, name, { get: () => connection[name], enumerable: true, configurable: true });
  }
}

/** A connection whose settings are wrong: every user shows `problem`, every request fails with it. */
function failedConnection(problem: string, t: Translate): object {
  const state = { phase: 'disconnected' as const, reasonString: problem };
  const refuse = () => Promise.reject(new Error(problem));
  return {
    state,
    protocolLevel: 5,
    capabilities: undefined,
    responseInformation: undefined,
    clientId: '',
    persistentSession: false,
    register: (user: { onState(s: typeof state, status: object): void }) =>
      user.onState(state, { fill: 'red', shape: 'ring', text: problem }),
    deregister: () => Promise.resolve(),
    subscribe: refuse,
    unsubscribe: () => Promise.resolve(),
    subscriptionsOf: () => [],
    publish: refuse,
    publishWith: (_message: unknown, listener: { reject(error: Error): void }) =>
      listener.reject(new Error(problem)),
    control: refuse,
    describe: (p: { key: string; params?: Record<string, string | number> }) =>
      t(`mqtt5-connection.errors.${p.key}`, p.params),
  };
}

export = register;
