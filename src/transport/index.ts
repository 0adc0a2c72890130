/**
 * Byte streams for MQTT: TCP, TLS, WebSocket (subprotocol `mqtt`, on its own port or at a path of
 * an existing HTTP server) and an in-process pair, all behind one `Transport` interface.
 */
export { createTransportPair } from './in-process';
export { SocketTransport } from './socket-transport';
export { DEFAULT_HOST, listenTcp, type TcpListenOptions } from './tcp';
export { listenTls, type TlsCredentials, type TlsListenOptions } from './tls';
export { formatAddress, type Transport, type TransportHandler, type TransportListener } from './transport';
export {
  attachWebSocket,
  listenWebSocket,
  type WebSocketAttachOptions,
  type WebSocketListenOptions,
} from './websocket';
export { WebSocketTransport } from './websocket-transport';
export { MQTT_SUBPROTOCOL, selectSubprotocol } from './websocket-upgrade';
