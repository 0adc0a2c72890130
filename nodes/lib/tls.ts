import { createPrivateKey } from 'node:crypto';
import type { TlsCredentials } from '../../src/transport/tls';
import { isRecord } from './fields';
import type { NodeAPI } from './node-red-types';
import { errorMessage, fail, ok, type Result } from './problems';

/** The part of a core `tls-config` node used here: it fills in key, cert, ca and passphrase. */
interface TlsConfigNode {
  addTLSOptions(options: Record<string, unknown>): unknown;
}

function isTlsConfigNode(node: unknown): node is TlsConfigNode {
  return isRecord(node) && typeof node['addTLSOptions'] === 'function';
}

function isPem(value: unknown): value is string | Buffer {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

/**
 * The key and certificate of the `tls-config` node `id`, as a TLS server needs them. A key
 * protected by the config's passphrase is decrypted here, so the listener gets a plain key.
 */
export function tlsFromConfigNode(red: NodeAPI, id: string): Result<TlsCredentials> {
  const node = red.nodes.getNode(id);
  if (!isTlsConfigNode(node)) return fail('tls-missing');
  const options: Record<string, unknown> = {};
  node.addTLSOptions(options);
  const { key, cert, ca, passphrase } = options;
  if (!isPem(key) || !isPem(cert)) return fail('tls-no-key');
  const credentials: TlsCredentials = { key, cert };
  if (isPem(ca)) credentials.ca = ca;
  if (typeof passphrase === 'string' && passphrase !== '') {
    try {
      credentials.key = createPrivateKey({ key, passphrase }).export({ type: 'pkcs8', format: 'pem' });
    } catch (error) {
      return fail('tls-key', { reason: errorMessage(error) });
    }
  }
  return ok(credentials);
}
