import type { ConnectionOptions } from 'node:tls';
import { isRecord } from './fields';
import type { NodeAPI } from './node-red-types';

/**
 * The client side of a core `tls-config` node: CA, client certificate and key, passphrase,
 * server name and whether the server's certificate is verified. Undefined (Node's defaults: the
 * system CAs, verification on) when there is no such node.
 */
export function clientTlsOptions(red: NodeAPI, id: string | undefined): ConnectionOptions | undefined {
  if (id === undefined) return undefined;
  const node = red.nodes.getNode(id);
  if (!isRecord(node) || typeof node['addTLSOptions'] !== 'function') return undefined;
  const raw: Record<string, unknown> = {};
  Reflect.apply(node['addTLSOptions'], node, [raw]);
  const options: ConnectionOptions = {};
  const pem = (v: unknown): v is string | Buffer => typeof v === 'string' || Buffer.isBuffer(v);
  if (pem(raw['ca'])) options.ca = raw['ca'];
  if (pem(raw['cert'])) options.cert = raw['cert'];
  if (pem(raw['key'])) options.key = raw['key'];
  if (typeof raw['passphrase'] === 'string' && raw['passphrase'] !== '')
    options.passphrase = raw['passphrase'];
  if (typeof raw['rejectUnauthorized'] === 'boolean') options.rejectUnauthorized = raw['rejectUnauthorized'];
  if (typeof raw['servername'] === 'string' && raw['servername'] !== '')
    options.servername = raw['servername'];
  if (Array.isArray(raw['ALPNProtocols'])) {
    options.ALPNProtocols = raw['ALPNProtocols'].filter((p): p is string => typeof p === 'string');
  }
  return options;
}
