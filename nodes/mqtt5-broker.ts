import { join } from 'node:path';
import { type BrokerService, createBrokerService, restoreFromStore } from '../src/server/broker-service';
import type { Log } from '../src/server/types';
import { FileStore } from '../src/store/file-store';
import { releaseSharedMemoryStore, sharedMemoryStore } from '../src/store/memory-store';
import type { BrokerStore } from '../src/store/types';
import { createTransportPair } from '../src/transport/in-process';
import type { Transport } from '../src/transport/transport';
import { type ActionTarget, runBrokerAction } from './lib/broker-actions';
import { type BrokerNodeSettings, parseBrokerNode } from './lib/config';
import { changesClientCount, eventMessage } from './lib/events';
import type { InProcessBroker } from './lib/in-process';
import { startListeners, stopServer } from './lib/lifecycle';
import type { NodeAPI, NodeDefinition, NodeInstance, Translate } from './lib/node-red-types';
import { errorMessage, translateProblem } from './lib/problems';
import { type BrokerStatus, nodeStatus, StatusThrottle } from './lib/status';
import { tlsFromConfigNode } from './lib/tls';
import { publishCatalog, serveTopics, TopicCatalog, withdrawCatalog } from './lib/topic-catalog';
import { PASSWORDS_CREDENTIAL, usersWithPasswords } from './lib/users';

/**
 * The `mqtt5 broker` node: an MQTT 5.0 / 3.1.1 / 3.1 broker hosted in Node-RED. This file only
 * wires things together: settings → engine, broker events → msgs, state → status. The broker
 * itself is `src/broker` + `src/server`; the mapping helpers are in `./lib`.
 */

const STATUS_INTERVAL_MS = 500;
/** A redeploy waits this long at most for the ports to be released (Node-RED itself waits 15 s). */
const CLOSE_BOUND_MS = 10_000;

function register(RED: NodeAPI): void {
  const t: Translate = (key, substitutions) => RED._(key, substitutions);

  function BrokerNode(this: NodeInstance, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const node: NodeInstance & InProcessBroker = Object.assign(this, { connectInProcess });
    const status: BrokerStatus = { phase: 'starting', listening: [], clients: 0 };
    const throttle = new StatusThrottle((s) => node.status(s), STATUS_INTERVAL_MS);
    const fail = (message: string) => {
      node.error(message);
      status.error = message;
      throttle.immediate(nodeStatus(status, t));
    };
    throttle.immediate(nodeStatus(status, t));

    // 1. Settings → engine. A setting the broker cannot run with stops here, with the reason.
    const service = createService(definition, node, fail);
    if (service === undefined) {
      status.phase = 'failed';
      throttle.immediate(nodeStatus(status, t));
      node.on('close', (_removed, done) => {
        throttle.stop();
        done();
      });
      return;
    }
    const { engine, server } = service;
    const topics = new TopicCatalog(() => {
      const retained = engine.admin.retained('#');
      return retained.ok ? retained.value.map((m) => m.topic) : [];
    });
    publishCatalog(node.id, topics);

    // 2. Broker events → msgs on the one output; connects and disconnects → client count.
    let closing = false;
    server.on('event', (event) => {
      if (closing) return; // the shutdown's own disconnects would go to a flow being stopped
      topics.record(event);
      node.send(eventMessage(event));
      if (changesClientCount(event)) {
        status.clients = engine.counters.clientsConnected;
        throttle.throttled(nodeStatus(status, t));
      }
    });
    server.on('error', (error) => fail(t('mqtt5-broker.errors.listener-failed', { reason: error.message })));

    // 3. The store's sessions and retained messages come back before any client can connect;
    //    then the listeners open. The status says where the broker listens, or why it does not.
    const store = service.store;
    const restored = restoreFromStore(service, store).then(
      ({ sessions }) => {
        if (sessions > 0) node.log(t('mqtt5-broker.status.restored', { sessions }));
      },
      (error: unknown) => {
        throw new Error(t('mqtt5-broker.errors.store', { reason: errorMessage(error) }));
      },
    );
    const started = restored
      .then(() =>
        startListeners(
          server,
          service.settings.listeners,
          () => tlsFromConfigNode(RED, service.settings.tlsConfigId ?? ''),
          RED.server,
        ),
      )
      .then(
        ({ labels, problems }) => {
          status.phase = 'running';
          status.listening = labels;
          for (const p of problems) fail(translateProblem(t, 'errors', p));
          throttle.immediate(nodeStatus(status, t));
        },
        (error: unknown) => {
          status.phase = 'running';
          fail(t('mqtt5-broker.errors.broker', { reason: errorMessage(error) }));
        },
      );

    // 4. msg.action in (none: the broker's figures), its result out; a refusal goes to Catch.
    //    Actions wait for the store's state, so that it cannot overwrite what a flow injected.
    const ready = restored.catch(() => undefined);
    const target: ActionTarget = {
      admin: engine.admin,
      run: (call) => server.runAdmin(call),
      stats: () => ({
        listening: server.listening,
        clients: engine.counters.clientsConnected,
        counters: { ...engine.counters },
        connections: server.stats().connections,
      }),
    };
    node.on('input', (msg, send, done) => {
      ready
        .then(() => {
          const outcome = runBrokerAction(msg, target);
          if (!outcome.ok) {
            if (outcome.reasonCode !== undefined) msg['reasonCode'] = outcome.reasonCode;
            done(new Error(translateProblem(t, 'errors', outcome.problem)));
            return;
          }
          msg.topic = outcome.topic;
          msg.payload = outcome.payload;
          send(msg);
          done();
        })
        .catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
    });

    // 5. Redeploy: done() only once every port is released, so the next deploy can bind it.
    node.on('close', (removed, done) => {
      closing = true;
      throttle.stop();
      withdrawCatalog(node.id, topics);
      stopServer(started, server, CLOSE_BOUND_MS)
        .then(async (inTime) => {
          if (!inTime)
            node.warn(t('mqtt5-broker.warnings.close-timeout', { seconds: CLOSE_BOUND_MS / 1000 }));
          server.removeAllListeners();
          await store.close();
          // A memory store outlives redeploys; it goes when the node itself is deleted.
          if (removed === true && service.settings.persistence === 'memory')
            releaseSharedMemoryStore(node.id);
        })
        .catch((error: unknown) =>
          node.error(t('mqtt5-broker.errors.store', { reason: errorMessage(error) })),
        )
        .finally(() => done());
    });

    /** A connection without a socket, for nodes in this Node-RED (see `InProcessBroker`). */
    function connectInProcess(): Transport {
      const [client, broker] = createTransportPair();
      if (service === undefined) broker.destroy();
      else service.server.attach(broker, 'in-process');
      return client;
    }
  }

  RED.nodes.registerType('mqtt5 broker', BrokerNode, {
    credentials: { [PASSWORDS_CREDENTIAL]: { type: 'password' } },
  });
  serveTopics(RED);

  /**
   * The engine and its driver for this node's settings, or undefined after reporting (via
   * `fail`) why there is none: a setting out of range, a bad ACL rule.
   */
  function createService(
    definition: NodeDefinition,
    node: NodeInstance,
    fail: (message: string) => void,
  ): (BrokerService & { settings: BrokerNodeSettings; store: BrokerStore }) | undefined {
    const parsed = parseBrokerNode(definition);
    if (!parsed.ok) {
      fail(translateProblem(t, 'errors', parsed.problem));
      return undefined;
    }
    const settings = parsed.value;
    const { users, warnings } = usersWithPasswords(
      settings.usernames,
      node.credentials?.[PASSWORDS_CREDENTIAL],
    );
    for (const w of warnings) node.warn(translateProblem(t, 'warnings', w));
    try {
      const store = openStore(settings, node);
      const service = createBrokerService(
        {
          config: settings.config,
          users,
          acl: settings.acl,
          allowAnonymous: settings.allowAnonymous,
          store,
          durability: settings.durability,
        },
        { log: nodeLog(node) },
      );
      return { ...service, settings, store };
    } catch (error) {
      fail(t('mqtt5-broker.errors.broker', { reason: errorMessage(error) }));
      return undefined;
    }
  }

  /**
   * The node's store: a crash-safe file store under the user directory, or the in-memory store
   * kept for this node id across redeploys.
   */
  function openStore(settings: BrokerNodeSettings, node: NodeInstance): BrokerStore {
    if (settings.persistence === 'memory') return sharedMemoryStore(node.id);
    const userDir = RED.settings.userDir ?? process.cwd();
    return new FileStore({
      directory: join(userDir, 'mqtt5-broker', node.id),
      durability: settings.durability,
      log: (message) => node.warn(message),
    });
  }
}

/** Engine and driver log lines go to Node-RED's log, at the matching level. */
function nodeLog(node: NodeInstance): Log {
  return (level, message) => {
    if (level === 'error') node.error(message);
    else if (level === 'warn') node.warn(message);
    else if (level === 'info') node.log(message);
    else node.debug(message);
  };
}

export = register;
