import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { AclRule } from '../broker/acl';
import type { BrokerConfig } from '../broker/config';
import type { UserAccount } from '../broker/users';
import type { ListenerConfig } from '../server/types';
import type { TlsCredentials } from '../transport/tls';
import type { CliArgs, CliLogLevel } from './args';
import { type FileConfig, type FileListener, parseConfigText } from './config-file';

/** Everything the broker needs to start, from the command line over the settings file over defaults. */
export interface BrokerSettings {
  config: Partial<BrokerConfig>;
  listeners: ListenerConfig[];
  users: UserAccount[];
  acl: AclRule[];
  allowAnonymous: 'auto' | boolean;
  logLevel: CliLogLevel;
  /** Where the file store keeps its state (`--persistence file:<dir>`); absent for memory. */
  dataDir?: string;
  durability: 'sync' | 'periodic';
}

export type ReadText = (path: string) => Promise<string>;

const readText: ReadText = (path) => readFile(path, 'utf8');

function reason(err: unknown): string {
  if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return 'no such file';
  return err instanceof Error ? err.message : String(err);
}

async function readNamed(what: string, path: string, read: ReadText): Promise<string> {
  try {
    return await read(path);
  } catch (err) {
    throw new Error(`cannot read the ${what} "${path}": ${reason(err)}`);
  }
}

async function loadFile(path: string, read: ReadText): Promise<FileConfig> {
  const text = await readNamed('settings file', path, read);
  try {
    return parseConfigText(text);
  } catch (err) {
    throw new Error(`settings file "${path}": ${reason(err)}`);
  }
}

async function credentials(
  files: { cert?: string; key?: string; ca?: string },
  baseDir: string,
  read: ReadText,
  where: string,
): Promise<TlsCredentials> {
  if (files.cert === undefined || files.key === undefined)
    throw new Error(`${where}: TLS needs a cert and a key file`);
  const tls: TlsCredentials = {
    cert: await readNamed('TLS certificate', resolve(baseDir, files.cert), read),
    key: await readNamed('TLS key', resolve(baseDir, files.key), read),
  };
  if (files.ca !== undefined) tls.ca = await readNamed('TLS CA file', resolve(baseDir, files.ca), read);
  return tls;
}

async function fileListener(
  l: FileListener,
  name: string,
  host: string | undefined,
  baseDir: string,
  read: ReadText,
): Promise<ListenerConfig> {
  const listener: ListenerConfig = { name, type: l.type, host: l.host ?? host, port: l.port, path: l.path };
  const secure = l.type === 'tls' || l.cert !== undefined || l.key !== undefined;
  if (secure) {
    const tls = await credentials(l, baseDir, read, `listener "${name}"`);
    if (l.requestCert !== undefined) tls.requestCert = l.requestCert;
    if (l.rejectUnauthorized !== undefined) tls.rejectUnauthorized = l.rejectUnauthorized;
    listener.tls = tls;
  }
  if (l.type === 'ws' && l.port === undefined) throw new Error(`listener "${name}": ws needs a port`);
  return listener;
}

/** Listener names from the file: the one given, or the type, numbered when it repeats. */
function listenerNames(listeners: readonly FileListener[]): string[] {
  const used = new Set<string>();
  return listeners.map((l) => {
    let name = l.name ?? l.type;
    for (let n = 2; used.has(name); n++) name = `${l.name ?? l.type}-${n}`;
    used.add(name);
    return name;
  });
}

async function commandLineListeners(
  args: CliArgs,
  hasFileListeners: boolean,
  read: ReadText,
): Promise<ListenerConfig[]> {
  const listeners: ListenerConfig[] = [];
  if (args.port !== undefined || !hasFileListeners) {
    listeners.push({ name: 'tcp', type: 'tcp', host: args.host, port: args.port ?? 1883 });
  }
  if (args.wsPort !== undefined) {
    listeners.push({ name: 'ws', type: 'ws', host: args.host, port: args.wsPort, path: args.wsPath });
  }
  if (args.tlsPort !== undefined) {
    const tls = await credentials(
      { cert: args.tlsCert, key: args.tlsKey, ca: args.tlsCa },
      '.',
      read,
      '--tls-port',
    );
    listeners.push({ name: 'tls', type: 'tls', host: args.host, port: args.tlsPort, tls });
  }
  return listeners;
}

/**
 * The file store's directory, or undefined for memory: the command line's persistence (relative
 * to the working directory) over the settings file's (relative to the file).
 */
function storeDirectory(args: CliArgs, file: FileConfig, baseDir: string): string | undefined {
  if (args.persistence !== undefined) {
    return args.persistence.kind === 'file' ? resolve(args.persistence.directory) : undefined;
  }
  const p = file.persistence;
  return p?.kind === 'file' ? resolve(baseDir, p.directory) : undefined;
}

/** Merges the command line, the settings file it names, and the defaults. Throws a plain-English Error. */
export async function resolveSettings(args: CliArgs, read: ReadText = readText): Promise<BrokerSettings> {
  const file: FileConfig =
    args.configFile === undefined ? { broker: {} } : await loadFile(args.configFile, read);
  const baseDir = args.configFile === undefined ? '.' : dirname(args.configFile);
  const fromFile = file.listeners ?? [];
  const names = listenerNames(fromFile);
  const listeners: ListenerConfig[] = [];
  for (const [i, l] of fromFile.entries()) {
    listeners.push(await fileListener(l, names[i] ?? l.type, args.host, baseDir, read));
  }
  // A listener given on the command line replaces the file's listener of the same name.
  for (const l of await commandLineListeners(args, fromFile.length > 0, read)) {
    const same = listeners.findIndex((f) => f.name === l.name);
    if (same >= 0) listeners.splice(same, 1, l);
    else listeners.push(l);
  }
  const config: Partial<BrokerConfig> = { ...file.broker };
  if (args.maxConnections !== undefined) config.maxConnections = args.maxConnections;
  if (args.maxPacketSize !== undefined) config.maximumPacketSize = args.maxPacketSize;
  if (args.maxQueuedMessages !== undefined) config.maxQueuedMessages = args.maxQueuedMessages;
  if (args.sysInterval !== undefined) config.sysInterval = args.sysInterval;
  const allowAnonymous = args.allowAnonymous ?? file.broker.allowAnonymous ?? 'auto';
  if (typeof allowAnonymous === 'boolean') config.allowAnonymous = allowAnonymous;
  const logLevel = args.logLevel ?? 'info';
  if (logLevel === 'debug' && config.publishEvents === undefined) config.publishEvents = true;
  const dataDir = storeDirectory(args, file, baseDir);
  // A durability needs a file store beside it: the file's applies to the file's persistence.
  if (
    (args.durability !== undefined && dataDir === undefined) ||
    (file.durability !== undefined && file.persistence?.kind !== 'file')
  ) {
    throw new Error('durability applies to a file store: it needs --persistence file:<dir>');
  }
  const durability = dataDir === undefined ? undefined : (args.durability ?? file.durability);
  return {
    config,
    listeners,
    // Command-line users come first: for a name given twice, the first entry wins.
    users: [...args.users, ...(file.users ?? [])],
    acl: file.acl ?? [],
    allowAnonymous,
    logLevel,
    ...(dataDir === undefined ? {} : { dataDir }),
    durability: durability ?? 'sync',
  };
}
