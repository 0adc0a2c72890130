import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../nodes/build/demo-runtime';

/** The edit dialogs the browser test opens, on the nodes of the request/response example. */

export interface NodeDialog {
  /** The node of example 2 whose dialog is opened. */
  id: string;
  type: string;
  /** The locale namespace (`locales/en-US/<ns>.json`). */
  ns: string;
  /** The screenshot's file name in docs/images. */
  image: string;
  /** Keys under `<ns>.label` whose English text the dialog must show. */
  labels: string[];
  /** The other tabs of the dialog (`RED.tabs` ids), each shown in turn for the raw-key check. */
  tabs: string[];
}

export const NODE_DIALOGS: NodeDialog[] = [
  {
    id: 'ex2-service',
    type: 'mqtt5 in',
    ns: 'mqtt5-in',
    image: 'mqtt5-in.png',
    labels: ['connection', 'mode', 'topic', 'qos', 'datatype'],
    tabs: [],
  },
  {
    id: 'ex2-reply',
    type: 'mqtt5 out',
    ns: 'mqtt5-out',
    image: 'mqtt5-out.png',
    labels: ['connection', 'topic', 'qos'],
    tabs: [],
  },
  {
    id: 'ex2-request',
    type: 'mqtt5 request',
    ns: 'mqtt5-request',
    image: 'mqtt5-request.png',
    labels: ['connection', 'topic', 'qos'],
    tabs: [],
  },
  {
    id: 'ex2-broker',
    type: 'mqtt5 broker',
    ns: 'mqtt5-broker',
    image: 'mqtt5-broker.png',
    labels: ['port'],
    tabs: ['mqtt5-broker-tab-security', 'mqtt5-broker-tab-limits', 'mqtt5-broker-tab-advanced'],
  },
];

export const CONNECTION_DIALOG: NodeDialog = {
  id: 'ex2-conn',
  type: 'mqtt5-connection',
  ns: 'mqtt5-connection',
  image: 'mqtt5-connection.png',
  labels: ['target', 'broker'],
  tabs: ['mqtt5-connection-tab-security', 'mqtt5-connection-tab-session', 'mqtt5-connection-tab-messages'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The English text of `<ns>.label.<key>`, from the package's en-US catalogue. */
export function englishLabel(ns: string, key: string): string {
  const catalogue: unknown = JSON.parse(
    readFileSync(join(REPO_ROOT, 'locales', 'en-US', `${ns}.json`), 'utf8'),
  );
  const labels = isRecord(catalogue) && isRecord(catalogue[ns]) ? catalogue[ns]['label'] : undefined;
  const text = isRecord(labels) ? labels[key] : undefined;
  if (typeof text !== 'string') throw new Error(`${ns}.label.${key} is not in locales/en-US/${ns}.json`);
  return text;
}
