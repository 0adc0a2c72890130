import type { QoS } from '../src/protocol';

/**
 * The flow `npm run bench:client` deploys in its Node-RED: for each side (Node-RED's core MQTT
 * nodes, and ours) and each QoS,
 * - publishing: `bench burst` → `mqtt out` / `mqtt5 out`, topic `bench/tx/<side>/q<qos>`;
 * - receiving: `mqtt in` / `mqtt5 in`, topic `bench/rx/<side>/q<qos>` → `bench counter`.
 * Each side has one connection (core `mqtt-broker` config node / our `mqtt5-connection`) that all
 * its nodes share, as a user's flow would. Both connect to the same broker, at the same protocol
 * version, and both in nodes deliver the payload as a string (datatype utf8).
 */

export type Side = 'core' | 'ours';
export type Direction = 'tx' | 'rx';

export const SIDES: readonly Side[] = ['ours', 'core'];
export const QOS_LEVELS: readonly QoS[] = [0, 1];

export function sideLabel(side: Side): string {
  return side === 'core' ? 'core mqtt' : 'mqtt5 (ours)';
}

export function topicOf(direction: Direction, side: Side, qos: QoS): string {
  return `bench/${direction}/${side}/q${qos}`;
}

/** The id of the `bench burst` node (tx) or the `bench counter` node (rx) of a scenario. */
export function harnessNodeId(direction: Direction, side: Side, qos: QoS): string {
  return `${direction}-${side}-q${qos}-${direction === 'tx' ? 'burst' : 'count'}`;
}

export interface FlowOptions {
  mqttPort: number;
  /** '5' or '4' (3.1.1), for both sides. */
  protocolVersion: '5' | '4';
  sides: readonly Side[];
}

type FlowNode = Record<string, unknown> & { id: string; type: string };

const TAB = 'bench-client';

function coreConfig(o: FlowOptions): FlowNode {
  return {
    id: 'core-broker',
    type: 'mqtt-broker',
    name: 'bench core',
    broker: '127.0.0.1',
    port: String(o.mqttPort),
    clientid: '',
    autoConnect: true,
    usetls: false,
    protocolVersion: o.protocolVersion,
    keepalive: '60',
    cleansession: true,
    autoUnsubscribe: true,
    birthTopic: '',
    closeTopic: '',
    willTopic: '',
    userProps: '',
    sessionExpiry: '',
  };
}

function oursConfig(o: FlowOptions): FlowNode {
  return {
    id: 'ours-connection',
    type: 'mqtt5-connection',
    name: 'bench ours',
    target: 'url',
    url: `mqtt://127.0.0.1:${o.mqttPort}`,
    protocolVersion: o.protocolVersion,
    clientId: '',
    cleanStart: true,
    sessionExpiry: '0',
    keepAlive: '60',
    autoConnect: true,
  };
}

function outNode(side: Side, qos: QoS): FlowNode {
  const common = { id: `tx-${side}-q${qos}-out`, z: TAB, name: '', wires: [] };
  const topic = topicOf('tx', side, qos);
  if (side === 'core') {
    return {
      ...common,
      type: 'mqtt out',
      topic,
      qos: String(qos),
      retain: 'false',
      respTopic: '',
      contentType: '',
      userProps: '',
      correl: '',
      expiry: '',
      broker: 'core-broker',
    };
  }
  return {
    ...common,
    type: 'mqtt5 out',
    topic,
    qos: String(qos),
    retain: 'false',
    connection: 'ours-connection',
  };
}

function inNode(side: Side, qos: QoS): FlowNode {
  const common = {
    id: `rx-${side}-q${qos}-in`,
    z: TAB,
    name: '',
    topic: topicOf('rx', side, qos),
    qos: String(qos),
    datatype: 'utf8',
    wires: [[harnessNodeId('rx', side, qos)]],
  };
  if (side === 'core') {
    return { ...common, type: 'mqtt in', broker: 'core-broker', nl: false, rap: true, rh: 0, inputs: 0 };
  }
  return { ...common, type: 'mqtt5 in', connection: 'ours-connection' };
}

export function benchFlow(o: FlowOptions): FlowNode[] {
  const nodes: FlowNode[] = [{ id: TAB, type: 'tab', label: 'bench:client' }];
  for (const side of o.sides) {
    nodes.push(side === 'core' ? coreConfig(o) : oursConfig(o));
    for (const qos of QOS_LEVELS) {
      const out = outNode(side, qos);
      nodes.push(
        { id: harnessNodeId('tx', side, qos), z: TAB, type: 'bench burst', name: '', wires: [[out.id]] },
        out,
        inNode(side, qos),
        { id: harnessNodeId('rx', side, qos), z: TAB, type: 'bench counter', name: '', wires: [] },
      );
    }
  }
  return nodes;
}
