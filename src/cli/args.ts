import { parseArgs } from 'node:util';
import type { UserAccount } from '../broker/users';
import { PERSISTENCE_FORMS, type Persistence, parsePersistence } from './persistence';

export type CliLogLevel = 'info' | 'debug';

/** What the command line asked for. Absent fields fall back to the config file, then to defaults. */
export interface CliArgs {
  help: boolean;
  version: boolean;
  configFile?: string;
  host?: string;
  port?: number;
  wsPort?: number;
  wsPath?: string;
  tlsPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  maxConnections?: number;
  maxPacketSize?: number;
  maxQueuedMessages?: number;
  sysInterval?: number;
  users: UserAccount[];
  allowAnonymous?: boolean;
  logLevel?: CliLogLevel;
  /** `--persistence memory|file:<dir>`, or `--data-dir <dir>` (the same as `file:<dir>`). */
  persistence?: Persistence;
  durability?: 'sync' | 'periodic';
}

/** A command line that cannot be used; the message says why, in plain English. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: mqtt5-broker [options]

An MQTT 5.0 / 3.1.1 / 3.1 broker.

Options:
  --host <address>          bind address (default 127.0.0.1, this machine only;
                            0.0.0.0 or :: for every interface)
  --port <n>                MQTT over TCP port (default 1883; 0 picks a free port)
  --ws-port <n>             also serve MQTT over WebSocket on this port
  --ws-path <path>          WebSocket path (default: any path)
  --tls-port <n>            also serve MQTT over TLS on this port
  --tls-cert <file>         TLS certificate (PEM), needed with --tls-port
  --tls-key <file>          TLS private key (PEM), needed with --tls-port
  --tls-ca <file>           CA certificates (PEM) that client certificates must chain to
  --config <file.json>      settings file: broker limits, listeners, users and acl
  --max-connections <n>     connections at once (0: no limit)
  --max-packet-size <n>     largest packet accepted, in bytes
  --max-queued-messages <n> messages queued per session beyond its in-flight window
                            (default 1000; 0 for no limit)
  --sys-interval <seconds>  seconds between $SYS updates (0 turns $SYS off)
  --user <name:password>    a user; repeat for more
  --allow-anonymous <bool>  true or false (default: only while no users are configured)
  --log-level <level>       info or debug (default info)
  --persistence <where>     memory (default: everything is lost on restart) or file:<dir>
                            (sessions, queued and retained messages kept on disk in <dir>)
  --data-dir <dir>          the same as --persistence file:<dir>
  --durability <mode>       with a file store: sync (default: a QoS 1/2 message is on disk
                            before it is acknowledged) or periodic (written at once, fsynced
                            every second)
  -h, --help                show this help
  -v, --version             show the version`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'ws-port': { type: 'string' },
  'ws-path': { type: 'string' },
  'tls-port': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-packet-size': { type: 'string' },
  'max-queued-messages': { type: 'string' },
  'sys-interval': { type: 'string' },
  user: { type: 'string', multiple: true },
  'allow-anonymous': { type: 'string' },
  'log-level': { type: 'string' },
  persistence: { type: 'string' },
  'data-dir': { type: 'string' },
  durability: { type: 'string' },
} as const;

/** A whole number in [min, max], or undefined when the option was not given. */
export function integerOption(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return n;
}

function portOption(name: string, value: string | undefined): number | undefined {
  return integerOption(name, value, 0, 65535);
}

function durabilityOption(value: string | undefined): 'sync' | 'periodic' | undefined {
  if (value === undefined || value === 'sync' || value === 'periodic') return value;
  throw new UsageError(`--durability must be sync or periodic, not "${value}"`);
}

function persistenceOption(
  persistence: string | undefined,
  dataDir: string | undefined,
): Persistence | undefined {
  if (persistence !== undefined && dataDir !== undefined) {
    throw new UsageError('--data-dir is another way to write --persistence file:<dir>: give only one');
  }
  if (dataDir !== undefined) {
    if (dataDir.trim() === '') throw new UsageError('--data-dir must not be empty');
    return { kind: 'file', directory: dataDir };
  }
  if (persistence === undefined) return undefined;
  const parsed = parsePersistence(persistence);
  if (parsed === undefined) {
    throw new UsageError(`--persistence must be ${PERSISTENCE_FORMS}, not "${persistence}"`);
  }
  return parsed;
}

function booleanOption(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`--${name} must be true or false, not "${value}"`);
}

function logLevelOption(value: string | undefined): CliLogLevel | undefined {
  if (value === undefined || value === 'info' || value === 'debug') return value;
  throw new UsageError(`--log-level must be info or debug, not "${value}"`);
}

function userOption(value: string): UserAccount {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new UsageError(`--user must look like name:password, not "${value}"`);
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

function pathOption(value: string | undefined): string | undefined {
  if (value === undefined || value.startsWith('/')) return value;
  throw new UsageError(`--ws-path must start with "/", not "${value}"`);
}

/** Reads the command line (without `node` and the script). Throws `UsageError` for a bad one. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let values: ReturnType<typeof parseWith>['values'];
  try {
    values = parseWith(argv).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const args: CliArgs = {
    help: values.help ?? false,
    version: values.version ?? false,
    configFile: values.config,
    host: values.host,
    port: portOption('port', values.port),
    wsPort: portOption('ws-port', values['ws-port']),
    wsPath: pathOption(values['ws-path']),
    tlsPort: portOption('tls-port', values['tls-port']),
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    tlsCa: values['tls-ca'],
    maxConnections: integerOption('max-connections', values['max-connections'], 0, 0xffffffff),
    maxPacketSize: integerOption('max-packet-size', values['max-packet-size'], 2, 268435460),
    maxQueuedMessages: integerOption('max-queued-messages', values['max-queued-messages'], 0, 0xffffffff),
    sysInterval: integerOption('sys-interval', values['sys-interval'], 0, 0xffffffff),
    users: (values.user ?? []).map(userOption),
    allowAnonymous: booleanOption('allow-anonymous', values['allow-anonymous']),
    logLevel: logLevelOption(values['log-level']),
    persistence: persistenceOption(values.persistence, values['data-dir']),
    durability: durabilityOption(values.durability),
  };
  if (args.durability !== undefined && args.persistence?.kind === 'memory') {
    throw new UsageError('--durability applies to a file store, not to --persistence memory');
  }
  if (args.tlsPort !== undefined && (args.tlsCert === undefined || args.tlsKey === undefined)) {
    throw new UsageError('--tls-port needs --tls-cert and --tls-key');
  }
  if (args.tlsPort === undefined && (args.tlsCert !== undefined || args.tlsKey !== undefined)) {
    throw new UsageError('--tls-cert and --tls-key need --tls-port');
  }
  if (args.host === '') throw new UsageError('--host must not be empty');
  return args;
}

function parseWith(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
}
