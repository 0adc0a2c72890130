import type { BrokerCounters } from './engine-api';

/** Counters of a broker that has done nothing yet. */
export function newCounters(): BrokerCounters {
  return {
    clientsConnected: 0,
    clientsTotal: 0,
    clientsMaximum: 0,
    messagesReceived: 0,
    messagesSent: 0,
    publishReceived: 0,
    publishSent: 0,
    publishDropped: 0,
    bytesReceived: 0,
    bytesSent: 0,
    subscriptions: 0,
    retainedMessages: 0,
    sessions: 0,
  };
}
