import type { Server as HttpServer } from 'node:http';

/**
 * The small part of Node-RED's runtime API these nodes use. Node-RED ships no types of its own,
 * so this is written down here, and every value coming out of it is treated as untrusted.
 */

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface NodeMessage {
  _msgid?: string;
  topic?: string;
  payload?: unknown;
  [field: string]: unknown;
}

/**
 * One msg for the first output, or one entry per output: a msg, several msgs (an array), or
 * null for none on that output.
 */
export type OutputMessages = NodeMessage | (NodeMessage | NodeMessage[] | null)[] | null;
export type SendFunction = (msg: OutputMessages) => void;
export type DoneFunction = (error?: Error) => void;

/** What Node-RED passes a node's constructor: the node's properties from the flow, untyped. */
export interface NodeDefinition {
  id: string;
  type: string;
  name?: unknown;
  [property: string]: unknown;
}

/** A node instance after `RED.nodes.createNode(this, config)`. */
export interface NodeInstance {
  readonly id: string;
  readonly type: string;
  /** Decrypted credentials, with the keys the type registered; any of them may be missing. */
  credentials?: Record<string, unknown>;
  on(
    event: 'input',
    handler: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void | Promise<void>,
  ): void;
  /** With two parameters, Node-RED waits for `done` before it counts the node as closed. */
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
  status(status: NodeStatus): void;
  send(msg: OutputMessages): void;
  error(error: string | Error, msg?: NodeMessage): void;
  warn(message: string): void;
  log(message: string): void;
  debug(message: string): void;
}

export interface CredentialField {
  type: 'text' | 'password';
}

/** A request to Node-RED's admin API (an Express request, reduced to what these nodes read). */
export interface AdminRequest {
  params: Record<string, string | undefined>;
}

/** The response of an admin API handler (an Express response, reduced). */
export interface AdminResponse {
  status(code: number): AdminResponse;
  json(body: unknown): void;
}

export type AdminHandler = (req: AdminRequest, res: AdminResponse, next: () => void) => void;

/**
 * `RED.httpAdmin` (the editor's admin HTTP API, an Express app; absent without the editor) and
 * `RED.auth`, reduced to what these nodes use. Read from `RED` through `adminApiOf`.
 */
export interface AdminApi {
  httpAdmin: { get(path: string, ...handlers: AdminHandler[]): void };
  auth?: { needsPermission(permission: string): AdminHandler };
}

export type NodeConstructor = (this: NodeInstance, config: NodeDefinition) => void;

/** `RED` as a node module receives it. */
export interface NodeAPI {
  nodes: {
    createNode(node: NodeInstance, config: NodeDefinition): void;
    registerType(
      type: string,
      definition: NodeConstructor,
      options?: { credentials?: Record<string, CredentialField> },
    ): void;
    /** A node of the running flows by id (config nodes such as `tls-config` included). */
    getNode(id: string): unknown;
  };
  /** Translates a key of this module's catalog (`locales/<lang>/<file>.json`). */
  _(key: string, substitutions?: Record<string, string | number>): string;
  /** Node-RED's own HTTP(S) server, when it runs one. */
  server?: HttpServer;
  /** Node-RED's utilities: a typed input's value (`str`, `msg`, `flow`, `global`, `env`, …) for a msg. */
  util?: {
    evaluateNodeProperty(value: unknown, type: string, node: NodeInstance, msg: NodeMessage): unknown;
  };
  /** The runtime settings; `userDir` is where Node-RED keeps flows and credentials. */
  settings: { userDir?: string };
}

export type Translate = NodeAPI['_'];
