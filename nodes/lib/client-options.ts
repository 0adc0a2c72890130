import type { MqttClientOptions } from '../../src/client';
import { scramAuthenticator } from '../../src/client/authenticator';
import type { Transport } from '../../src/transport/transport';
import type { ConnectionCredentials } from './broker-overrides';
import type { ConnectionSettings } from './connection-settings';
import type { Translate } from './node-red-types';

/** What the connection needs from its config node. */
export interface ConnectionEnvironment {
  translate: Translate;
  /** An in-process transport to the broker node `brokerId`; throws when there is none. */
  inProcess(brokerId: string): Transport;
  /** TLS options from the `tls-config` node, for `mqtts://` and `wss://`. */
  tls(): MqttClientOptions['tls'];
  warn(message: string): void;
}

/** An in-process broker is either there or restarting with a redeploy: retry soon and often. */
const IN_PROCESS_RECONNECT = { minDelayMs: 100, maxDelayMs: 2_000 };

/**
 * The `MqttClient` options for a connection's settings and credentials: SCRAM or a username and
 * password, and the target (an in-process transport to a broker node, or a URL, with the
 * `tls-config` node's options for `mqtts://` and `wss://`).
 */
export function clientOptions(
  settings: ConnectionSettings,
  credentials: ConnectionCredentials,
  env: ConnectionEnvironment,
): MqttClientOptions {
  const options: MqttClientOptions = { ...settings.session };
  if (settings.scram && credentials.username !== undefined) {
    options.authenticator = scramAuthenticator({
      username: credentials.username,
      password: credentials.password ?? '',
    });
  } else {
    if (credentials.username !== undefined && credentials.username !== '')
      options.username = credentials.username;
    // 3.1.1 allows a password only with a username [MQTT-3.1.2-22].
    const withUser = options.username !== undefined || (settings.session.protocolLevel ?? 5) === 5;
    if (credentials.password !== undefined && credentials.password !== '' && withUser)
      options.password = Buffer.from(credentials.password, 'utf8');
  }
  const target = settings.target;
  if (target.kind === 'broker') {
    options.transport = () => env.inProcess(target.brokerId);
    options.reconnect = IN_PROCESS_RECONNECT;
  } else {
    options.url = target.url;
    if (/^(mqtts|wss):/i.test(target.url)) options.tls = env.tls();
  }
  return options;
}
