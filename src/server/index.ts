/** The broker driver: binds a `BrokerEngine` to network listeners and in-process connections. */
export { BrokerServer } from './broker-server';
export { DEFAULT_MQTT_PORT, DEFAULT_MQTTS_PORT, listenerUrl } from './open-listener';
export type {
  BrokerServerEvents,
  BrokerServerOptions,
  BrokerServerStats,
  ConnectionStats,
  ListenerConfig,
  ListenerType,
  ListeningInfo,
  Log,
  LogLevel,
} from './types';
