import type { MqttClient, RequestListener } from '../../src/client';
import { ClientError } from '../../src/client/errors';
import type { OutgoingMessage } from '../../src/client/types';
import { ReasonCode } from '../../src/protocol/reason-codes';

/**
 * Publishes made while a connection is off by choice (`disconnect`, or no auto-connect): there is
 * no client then, so they wait here, within the bound of the offline queue, and go to the next
 * client, which may have new settings. Past the bound a publish is refused at once (0x97).
 */
export class WaitingPublishes {
  private items: { message: OutgoingMessage; listener: RequestListener }[] = [];

  add(message: OutgoingMessage, listener: RequestListener, limit: number): void {
    if (this.items.length >= limit) {
      listener.reject(
        new ClientError(ReasonCode.QuotaExceeded, `the offline queue is full (${limit} messages)`),
      );
      return;
    }
    this.items.push({ message, listener });
  }

  /** Hands every waiting publish to `client`, in order. */
  sendTo(client: MqttClient): void {
    for (const w of this.items.splice(0)) client.publishWith(w.message, w.listener);
  }

  /** Refuses every waiting publish with `error`. */
  fail(error: ClientError): void {
    for (const w of this.items.splice(0)) w.listener.reject(error);
  }
}
