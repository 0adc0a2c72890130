/**
 * The MQTT 5.0 / 3.1.1 client: a session state machine with no I/O (`ClientSession`), the
 * per-subscriber dispatcher, and a driver that binds them to TCP, TLS, WebSocket or in-process
 * transports (`MqttClient`).
 */
export { type ClientAuthExchange, type ClientAuthenticator, scramAuthenticator } from './authenticator';
export { type ConnectTarget, type OpenOptions, parseConnectUrl } from './connect-url';
export { type AddResult, ClientDispatcher, type FilterEntry, type SubscriberOptions } from './dispatcher';
export {
  MqttClient,
  type MqttClientEvents,
  type MqttClientOptions,
  type RequestListener,
  type RequestResult,
} from './driver';
export { ClientError } from './errors';
export { type ReconnectOptions, ReconnectPolicy } from './reconnect-policy';
export { ClientSession } from './session';
export type { Clock, SessionState } from './session-context';
export type { ClientSessionOptions } from './session-options';
export type { ClientEvent, ConnectedEvent, OutgoingMessage, ServerCapabilities } from './types';
