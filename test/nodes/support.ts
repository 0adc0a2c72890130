import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

import helper = require('node-red-node-test-helper');
import brokerNode = require('../../nodes/mqtt5-broker');

import type { NodeAPI, NodeMessage, NodeStatus, Translate } from '../../nodes/lib/node-red-types';
import { releaseSharedMemoryStore } from '../../src/store/memory-store';

/** One node of a test flow, as in flows.json. */
export type FlowNode = Parameters<typeof helper.load>[1][number];

/** The Node-RED user directory of these tests: the broker node keeps its file store there. */
export const TEST_USER_DIR = mkdtempSync(join(tmpdir(), 'mqtt5-nodes-'));
process.once('exit', () => rmSync(TEST_USER_DIR, { recursive: true, force: true }));

/** Every wait in these tests is bounded. */
export const WAIT_MS = 5000;

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `check` holds, polling; rejects after the bound. */
export async function until(check: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(5);
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The node files of this package, each with its own catalog `locales/<lang>/<file>.json`. */
export type NodeFile = 'mqtt5-broker' | 'mqtt5-connection' | 'mqtt5-in' | 'mqtt5-out' | 'mqtt5-request';

/** The shipped catalog, read from next to the built node, where Node-RED reads it. */
export function catalog(lang: 'en-US' | 'de', file: NodeFile = 'mqtt5-broker'): Record<string, unknown> {
  const text = readFileSync(join(__dirname, '..', '..', 'nodes', 'locales', lang, `${file}.json`), 'utf8');
  const json: unknown = JSON.parse(text);
  if (!isRecord(json)) throw new Error(`the ${lang} catalog is not an object`);
  return json;
}

function lookup(root: Record<string, unknown>, key: string): string | undefined {
  let at: unknown = root;
  for (const part of key.split('.')) at = isRecord(at) ? at[part] : undefined;
  return typeof at === 'string' ? at : undefined;
}

/**
 * A translator over the shipped catalog, as i18next does it in Node-RED: `__name__`
 * interpolation and `_one` / `_other` plurals. The test helper's own `RED._` returns the key.
 */
export function translator(lang: 'en-US' | 'de' = 'en-US', file: NodeFile = 'mqtt5-broker'): Translate {
  const root = catalog(lang, file);
  return (key, substitutions) => {
    const count = substitutions?.['count'];
    const plural =
      typeof count === 'number' ? lookup(root, `${key}_${count === 1 ? 'one' : 'other'}`) : undefined;
    const text = plural ?? lookup(root, key);
    if (text === undefined) throw new Error(`missing catalog key ${key}`);
    return text.replace(/__(\w+)__/g, (whole, name: string) => {
      const value = substitutions?.[name];
      return value === undefined ? whole : String(value);
    });
  };
}

/** Every status each node of the loaded flows has shown, by node id, from its first on. */
const statusHistory = new Map<string, NodeStatus[]>();

export function statusesOf(id: string): NodeStatus[] {
  let list = statusHistory.get(id);
  if (list === undefined) {
    list = [];
    statusHistory.set(id, list);
  }
  return list;
}

/** Forgets the recorded statuses (between tests). */
export function clearStatuses(): void {
  statusHistory.clear();
}

/**
 * The broker node module, with `RED._` reading the en-US catalog, and every `node.status` call
 * recorded (a status node only sees those made after the test has hooked it up).
 */
export function brokerModule(red: NodeAPI): void {
  recordStatuses(red);
  // Its own RED, as Node-RED gives each node file: the shared one's `_` stays core's.
  brokerNode({ ...red, _: translator('en-US') });
}

const recording = new WeakSet<NodeAPI['nodes']>();

/** The ids of the broker nodes made since the last test ended. */
const brokerIds = new Set<string>();

// A broker node's memory store outlives a redeploy by design, and the test helper's unload is
// one: without this, the retained messages and sessions of one test would reach the next test
// that uses a broker node of the same id. Root hook: it runs after each file's own afterEach.
afterEach(() => {
  for (const id of brokerIds) releaseSharedMemoryStore(id);
  brokerIds.clear();
});

/** Records every `node.status` call of the nodes `red` creates (once per runtime). */
function recordStatuses(red: NodeAPI): void {
  if (recording.has(red.nodes)) return;
  recording.add(red.nodes);
  const createNode = red.nodes.createNode;
  red.nodes.createNode = (node, config) => {
    createNode(node, config);
    if (config.type === 'mqtt5 broker') brokerIds.add(node.id);
    const show = node.status.bind(node);
    const history = statusesOf(node.id);
    node.status = (status) => {
      history.push(status);
      show(status);
    };
  };
}

/**
 * A node module of this package, loaded as Node-RED loads it: with its own `RED._` over its own
 * catalog (Node-RED gives each node file a namespaced translator), and statuses recorded.
 */
export function nodeModule(file: Exclude<NodeFile, 'mqtt5-broker'>): (red: NodeAPI) => void {
  return (red) => {
    recordStatuses(red);
    const own: NodeAPI = { ...red, _: translator('en-US', file) };
    const load: unknown = require(`../../nodes/${file}`);
    if (typeof load !== 'function') throw new Error(`cannot load ${file}`);
    load(own);
  };
}

/** The core function node (the test helper loads catch, complete and status by itself). */
export function functionModule(red: NodeAPI): void {
  const load: unknown = require('@node-red/nodes/core/function/10-function.js');
  if (typeof load !== 'function') throw new Error('cannot load the function node');
  load(red);
}

/**
 * Loads `flow` on one tab, where Catch and Complete nodes work (a node of a tab needs a
 * position, or the runtime takes it for a config node). `mqtt5-connection` nodes stay global.
 */
export function loadOnTab(modules: ((red: NodeAPI) => void)[], flow: FlowNode[]): Promise<void> {
  const onTab = flow.map((n) => (n.type === 'mqtt5-connection' ? n : { z: 'tab1', x: 0, y: 0, ...n }));
  return helper.load(modules, [{ id: 'tab1', type: 'tab', label: 'test' }, ...onTab]);
}

/** Every node module of the client side, plus the broker node, for `helper.load`. */
export function allModules(): ((red: NodeAPI) => void)[] {
  return [
    brokerModule,
    nodeModule('mqtt5-connection'),
    nodeModule('mqtt5-in'),
    nodeModule('mqtt5-out'),
    nodeModule('mqtt5-request'),
  ];
}

/** The core `tls-config` node module of the Node-RED under test. */
export function tlsConfigModule(red: NodeAPI): void {
  const load: unknown = require('@node-red/nodes/core/network/05-tls.js');
  if (typeof load !== 'function') throw new Error('cannot load the tls-config node');
  load(red);
}

interface InputNode {
  on(event: 'input', handler: (msg: NodeMessage) => void): void;
}

interface ReceivingNode {
  receive(msg: NodeMessage): void;
}

function isInputNode(node: unknown): node is InputNode {
  return isRecord(node) && typeof node['on'] === 'function';
}

function isReceivingNode(node: unknown): node is ReceivingNode {
  return isRecord(node) && typeof node['receive'] === 'function';
}

/** Collects the msgs reaching a `helper` node of the flow. */
export function collect(id: string): NodeMessage[] {
  const node = helper.getNode(id);
  if (!isInputNode(node)) throw new Error(`no node ${id} in the flow`);
  const msgs: NodeMessage[] = [];
  node.on('input', (msg) => msgs.push(msg));
  return msgs;
}

/** Sends a msg into a node of the flow, as a wire would. */
export function inject(id: string, msg: NodeMessage): void {
  const node = helper.getNode(id);
  if (!isReceivingNode(node)) throw new Error(`no node ${id} in the flow`);
  node.receive(msg);
}

/** The status texts a `status` node reports, from msgs collected at its helper. */
export function statusOf(msg: NodeMessage): { fill?: unknown; shape?: unknown; text?: unknown } {
  const status = msg['status'];
  return isRecord(status) ? status : {};
}

/**
 * Connects MQTT.js without reconnecting; rejects with the refusal. The broker node opens its
 * listeners once its store has loaded, so a refused TCP connection is tried again, within WAIT_MS.
 */
export async function connectClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      return await connectOnce(url, options);
    } catch (error) {
      const refused = error instanceof Error && 'code' in error && error.code === 'ECONNREFUSED';
      if (!refused || Date.now() > deadline) throw error;
      await delay(25);
    }
  }
}

function connectOnce(url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: WAIT_MS, ...options });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

export function endClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(true, {}, () => resolve()));
}

/** The reason code of a refused CONNECT, as MQTT.js reports it. */
export function refusalCode(error: unknown): unknown {
  return isRecord(error) || error instanceof Error ? Reflect.get(error, 'code') : undefined;
}

/** Node-RED log levels, as the runtime numbers them. */
export const LOG_ERROR = 20;
export const LOG_WARN = 30;

/** The messages logged at `level` since the flow was loaded (the helper spies on `RED.log`). */
export function logged(level: number): string[] {
  const spy = helper.log();
  const calls = typeof spy === 'function' || isRecord(spy) ? Reflect.get(spy, 'args') : undefined;
  if (!Array.isArray(calls)) return [];
  const messages: string[] = [];
  for (const args of calls) {
    const entry: unknown = Array.isArray(args) ? args[0] : undefined;
    if (isRecord(entry) && entry['level'] === level) messages.push(String(entry['msg']));
  }
  return messages;
}

export { helper };
