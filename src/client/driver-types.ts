import type { PublishPacket } from '../protocol/types';
import type { Transport } from '../transport/transport';
import type { OpenOptions } from './connect-url';
import type { ClientError } from './errors';
import type { ReconnectOptions } from './reconnect-policy';
import type { ClientSessionOptions } from './session-options';
import type { ConnectedEvent } from './types';

/** The options, results and events of `MqttClient`. */

export interface MqttClientOptions extends ClientSessionOptions, OpenOptions {
  /** `mqtt://`, `mqtts://`, `ws://` or `wss://`; or give `transport` instead. */
  url?: string;
  /** Opens an in-process (or any other) byte stream to the broker. */
  transport?: () => Transport | Promise<Transport>;
  /** Reconnect with backoff after a lost connection (the default), or `false` for no retry. */
  reconnect?: ReconnectOptions | false;
}

/** A finished request: the reason codes (one per filter for SUBSCRIBE and UNSUBSCRIBE). */
export interface RequestResult {
  reasonCodes: number[];
  reasonString: string | undefined;
}

/**
 * Who hears how a request ends, without a Promise: `publishWith` takes one. An object with two
 * methods costs one allocation per request, where a Promise with its handlers costs several; a
 * flow with thousands of publishes in flight keeps them all alive until their acknowledgements.
 */
export interface RequestListener {
  resolve(result: RequestResult): void;
  reject(error: ClientError): void;
}

export interface MqttClientEvents {
  connect: [ConnectedEvent];
  /** Undefined for a clean close this side asked for. */
  close: [ClientError | undefined];
  /** A message, with the local subscribers (see `addSubscriber`) it is for. */
  message: [PublishPacket, string[]];
  /**
   * A filter the client subscribed again by itself after a reconnect, refused by the server (its
   * reason code on the error), with the local subscribers that hold it. They stay subscribed
   * locally; the next connection tries again.
   */
  resubscribeRefused: [string, string[], ClientError];
  error: [Error];
}
