import type { BrokerEvent } from '../../src/broker/types';
import type { NodeMessage } from './node-red-types';

/**
 * One broker event as one msg: `msg.topic` is the event type (`client-connected`,
 * `client-disconnected`, `subscribed`, …) and `msg.payload` the event. A published payload is
 * copied, so a flow that changes it in place cannot change what the broker delivers or retains.
 */
export function eventMessage(event: BrokerEvent): NodeMessage {
  if (event.type === 'published') {
    return { topic: event.type, payload: { ...event, payload: Buffer.from(event.payload) } };
  }
  return { topic: event.type, payload: { ...event } };
}

/** Connects and disconnects change the client count on the status line. */
export function changesClientCount(event: BrokerEvent): boolean {
  return event.type === 'client-connected' || event.type === 'client-disconnected';
}
