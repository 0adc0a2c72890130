import type { ProtocolLevel, QoS } from '../../src/protocol';

/** One load shape: who publishes, who subscribes, at which QoS and protocol level. */
export interface Scenario {
  id: string;
  label: string;
  publishers: number;
  subscribers: number;
  qos: QoS;
  /** The subscribers form one shared-subscription group ($share/g/...). */
  shared: boolean;
  level: ProtocolLevel;
}

export function topicOf(publisher: number): string {
  return `bench/p${publisher}`;
}

export function filterOf(s: Scenario): string {
  return s.shared ? '$share/g/bench/#' : '#';
}

function fanIn(qos: QoS, level: ProtocolLevel = 4): Scenario {
  const v = level === 5 ? ' (MQTT 5)' : '';
  return {
    id: `fanin-q${qos}${level === 5 ? '-v5' : ''}`,
    label: `QoS ${qos} fan-in 4->1 on #${v}`,
    publishers: 4,
    subscribers: 1,
    qos,
    shared: false,
    level,
  };
}

function fanOut(qos: QoS): Scenario {
  const label = `QoS ${qos} fan-out 1->50`;
  return { id: `fanout-q${qos}`, label, publishers: 1, subscribers: 50, qos, shared: false, level: 4 };
}

export const SHARED: Scenario = {
  id: 'shared-q1',
  label: 'QoS 1 shared group of 4, 4 pubs',
  publishers: 4,
  subscribers: 4,
  qos: 1,
  shared: true,
  level: 4,
};

/** The throughput scenarios, all at MQTT 3.1.1 (aedes 1.x speaks nothing newer). */
export const SCENARIOS: readonly Scenario[] = [fanIn(0), fanIn(1), fanIn(2), fanOut(0), fanOut(1), SHARED];

/** The optional MQTT 5 row, for the brokers that speak it. */
export const V5_SCENARIO: Scenario = fanIn(1, 5);
