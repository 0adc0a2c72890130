import type { Server as HttpServer } from 'node:http';
import type { ListenerConfig } from '../../src/server/types';
import type { TlsCredentials } from '../../src/transport/tls';
import { isRecord, readBoolean, readChoice, readInteger, readText } from './fields';
import { fail, ok, type Problem, problem, type Result } from './problems';

/** The listener kinds the editor offers. */
export const LISTENER_KINDS = ['tcp', 'tls', 'ws', 'ws-node-red'] as const;
export type ListenerKind = (typeof LISTENER_KINDS)[number];

/** Localhost only: the default bind address, as in mosquitto 2.x. */
export const LOCALHOST = '127.0.0.1';
/** Every IPv4 interface: the bind address when "localhost only" is off and none is given. */
export const ALL_INTERFACES = '0.0.0.0';

/** One listener from the editor, checked, with its TLS still to be resolved. */
export interface ListenerSpec {
  /** Unique within the node: `tcp-1883`, `ws-/mqtt`, … (events and logs name it). */
  name: string;
  kind: ListenerKind;
  /** Bind address; unused for `ws-node-red`, which shares Node-RED's own server. */
  host: string;
  /** Absent only for `ws-node-red`. */
  port?: number;
  /** WebSocket path: required for `ws-node-red`, optional for `ws`. */
  path?: string;
  /** Needs the node's TLS configuration: always for `tls`, for `ws` when `secure`. */
  secure: boolean;
  /** Clients must present a certificate that chains to the TLS configuration's CA. */
  requireClientCert: boolean;
}

function isPath(path: string): boolean {
  return path.startsWith('/') && !/[\s?#]/.test(path);
}

/** Reads listener `index` (0-based) of the editor's list. */
export function parseListener(raw: unknown, index: number): Result<ListenerSpec> {
  const n = index + 1;
  if (!isRecord(raw)) return fail('listener-invalid', { n });
  const kind = readChoice(raw['type'], LISTENER_KINDS, 'tcp');
  if (!kind.ok) return fail('listener-type', { n, type: String(raw['type']) });
  // Only WebSocket listeners have a path; TCP and TLS ignore what the hidden field may hold.
  const isWs = kind.value === 'ws' || kind.value === 'ws-node-red';
  const path = isWs ? readText(raw['path']) : { ok: true as const, value: '' };
  if (!path.ok || (path.value !== '' && !isPath(path.value))) return fail('listener-path', { n });
  const requireClientCert = readBoolean(raw['requireClientCert'], false);
  if (!requireClientCert.ok) return fail('listener-invalid', { n });
  if (kind.value === 'ws-node-red') {
    if (path.value === '') return fail('listener-path', { n });
    return ok({
      name: `ws-${path.value}`,
      kind: kind.value,
      host: '',
      path: path.value,
      secure: false,
      requireClientCert: false,
    });
  }
  const port = readInteger(raw['port'], 0, 65535);
  if (!port.ok || port.value === undefined) return fail('listener-port', { n });
  const localOnly = readBoolean(raw['localOnly'], true);
  const host = readText(raw['host']);
  if (!localOnly.ok || !host.ok) return fail('listener-invalid', { n });
  const secure = readBoolean(raw['secure'], false);
  if (!secure.ok) return fail('listener-invalid', { n });
  return ok({
    name: `${kind.value}-${port.value}`,
    kind: kind.value,
    host: localOnly.value ? LOCALHOST : host.value || ALL_INTERFACES,
    port: port.value,
    ...(path.value !== '' ? { path: path.value } : {}),
    secure: kind.value === 'tls' || (kind.value === 'ws' && secure.value),
    requireClientCert: requireClientCert.value,
  });
}

/** Two listeners cannot share a port (nor two paths of Node-RED's server). */
export function duplicateListener(specs: readonly ListenerSpec[]): Problem | undefined {
  const seen = new Set<string>();
  for (const spec of specs) {
    const key = spec.port === undefined ? `path ${spec.path}` : `port ${spec.port}`;
    if (spec.port !== 0 && seen.has(key)) {
      return spec.port === undefined
        ? problem('listener-duplicate-path', { path: spec.path ?? '' })
        : problem('listener-duplicate-port', { port: spec.port });
    }
    seen.add(key);
  }
  return undefined;
}

/** What the driver needs to open `spec`. */
export function toListenerConfig(
  spec: ListenerSpec,
  tls: TlsCredentials | undefined,
  httpServer: HttpServer | undefined,
): ListenerConfig {
  const base: ListenerConfig = { name: spec.name, type: spec.kind === 'ws-node-red' ? 'ws' : spec.kind };
  if (spec.kind === 'ws-node-red') return { ...base, path: spec.path, httpServer };
  const config: ListenerConfig = { ...base, host: spec.host, port: spec.port };
  if (spec.path !== undefined) config.path = spec.path;
  if (spec.secure && tls !== undefined) {
    config.tls = spec.requireClientCert ? { ...tls, requestCert: true, rejectUnauthorized: true } : tls;
  }
  return config;
}

/** How the status shows an open listener: `tcp:1883`, `wss:8443`, `ws:/mqtt` (on Node-RED's port). */
export function listenerLabel(spec: ListenerSpec, port: number): string {
  switch (spec.kind) {
    case 'ws-node-red':
      return `ws:${spec.path ?? ''}`;
    case 'ws':
      return `${spec.secure ? 'wss' : 'ws'}:${port}`;
    default:
      return `${spec.kind}:${port}`;
  }
}
