import { parseConnectUrl } from '../../src/client/connect-url';
import type { ConnectionSettings } from './connection-settings';
import { isRecord, readBoolean, readInteger, readText } from './fields';
import { fail, ok, type Result } from './problems';

/** Username and password of a connection (from the credentials, or a `msg.broker` override). */
export interface ConnectionCredentials {
  username: string | undefined;
  password: string | undefined;
}

export interface Overridden {
  settings: ConnectionSettings;
  credentials: ConnectionCredentials;
  /** `msg.broker.force`: reconnect now even when connected. */
  force: boolean;
}

/**
 * `msg.action: 'connect'` with `msg.broker`, as the core MQTT nodes take it: `url`, or `broker`
 * (a host or a URL) with `port` and `usetls`; `clientid`, `username`, `password`, `keepalive`,
 * `cleansession`, `sessionExpiry`, `protocolVersion`, and `force`. Anything not given keeps its
 * configured value. A wrong value is refused with a key under `mqtt5-connection.errors`.
 */
export function applyBrokerOverrides(
  settings: ConnectionSettings,
  credentials: ConnectionCredentials,
  value: unknown,
): Result<Overridden> {
  if (value === undefined || value === null) return ok({ settings, credentials, force: false });
  if (!isRecord(value)) return fail('overrides-invalid');
  const target = overriddenTarget(settings.target, value);
  if (!target.ok) return target;

  const session = { ...settings.session };
  const clientId = readText(value['clientid']);
  if (!clientId.ok) return fail('override-invalid', { field: 'clientid' });
  if (value['clientid'] !== undefined) session.clientId = clientId.value;
  const keepAlive = readInteger(value['keepalive'], 0, 65_535);
  if (!keepAlive.ok) return fail('override-invalid', { field: 'keepalive' });
  if (keepAlive.value !== undefined) session.keepAlive = keepAlive.value;
  if (value['cleansession'] !== undefined) {
    const clean = readBoolean(value['cleansession'], true);
    if (!clean.ok) return fail('override-invalid', { field: 'cleansession' });
    session.cleanStart = clean.value;
  }
  const version = readInteger(value['protocolVersion'], 4, 5);
  if (!version.ok) return fail('override-invalid', { field: 'protocolVersion' });
  if (version.value === 4 || version.value === 5) session.protocolLevel = version.value;
  if (settings.scram && session.protocolLevel === 4) return fail('scram-needs-v5');
  const expiry = readInteger(value['sessionExpiry'], 0, 4_294_967_295);
  if (!expiry.ok) return fail('override-invalid', { field: 'sessionExpiry' });
  if (expiry.value !== undefined) {
    session.properties = { ...session.properties, sessionExpiryInterval: expiry.value };
  }
  const force = readBoolean(value['force'], false);
  if (!force.ok) return fail('override-invalid', { field: 'force' });

  const next: ConnectionCredentials = { ...credentials };
  for (const field of ['username', 'password'] as const) {
    const given = value[field];
    if (given === undefined) continue;
    if (typeof given !== 'string') return fail('override-invalid', { field });
    next[field] = given;
  }
  return ok({
    settings: { ...settings, target: target.value, session },
    credentials: next,
    force: force.value,
  });
}

function overriddenTarget(
  current: ConnectionSettings['target'],
  value: Record<string, unknown>,
): Result<ConnectionSettings['target']> {
  const url = readText(value['url']);
  const broker = readText(value['broker']);
  if (!url.ok) return fail('override-invalid', { field: 'url' });
  if (!broker.ok) return fail('override-invalid', { field: 'broker' });
  const port = readInteger(value['port'], 1, 65_535);
  if (!port.ok) return fail('override-invalid', { field: 'port' });
  const tls = readBoolean(value['usetls'], false);
  if (!tls.ok) return fail('override-invalid', { field: 'usetls' });
  if (url.value === '' && broker.value === '' && port.value === undefined && value['usetls'] === undefined) {
    return ok(current);
  }
  let href: string;
  if (url.value !== '') href = url.value;
  else if (broker.value.includes('://')) href = broker.value;
  else {
    const base = current.kind === 'url' ? new URL(current.url) : new URL('mqtt://localhost');
    if (broker.value !== '') {
      // The URL parser ignores a host it refuses; connecting to the old host instead would hide that.
      const host = hostName(base.protocol, broker.value);
      if (host === undefined) return fail('override-invalid', { field: 'broker' });
      base.hostname = host;
      if (base.hostname !== host) return fail('override-invalid', { field: 'broker' });
    }
    if (port.value !== undefined) base.port = String(port.value);
    if (value['usetls'] !== undefined) {
      const secure = tls.value;
      const ws = base.protocol.startsWith('ws');
      base.protocol = ws ? (secure ? 'wss:' : 'ws:') : secure ? 'mqtts:' : 'mqtt:';
    }
    href = base.href;
  }
  try {
    parseConnectUrl(href);
  } catch (error) {
    return fail('url-invalid', { url: href, reason: error instanceof Error ? error.message : '' });
  }
  return ok({ kind: 'url', url: href });
}

/**
 * `msg.broker.broker` given as a host (a name, an IPv4 address, an IPv6 address with or without
 * brackets) as a URL's hostname; undefined when it is not a host alone (a port, a path, a space).
 */
function hostName(protocol: string, broker: string): string | undefined {
  const host = broker.includes(':') && !broker.startsWith('[') ? `[${broker}]` : broker;
  let url: URL;
  try {
    url = new URL(`${protocol}//${host}`);
  } catch {
    return undefined;
  }
  const bare =
    url.port === '' &&
    url.username === '' &&
    url.password === '' &&
    (url.pathname === '' || url.pathname === '/') &&
    url.search === '' &&
    url.hash === '';
  return bare && url.hostname !== '' ? url.hostname : undefined;
}
