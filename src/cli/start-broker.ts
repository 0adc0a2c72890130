import type { BrokerServer } from '../server/broker-server';
import { createBrokerService, listenErrorCode, restoreFromStore } from '../server/broker-service';
import type { ListenerConfig, Log } from '../server/types';
import { FileStore } from '../store/file-store';
import { describeEvent, type Output } from './logger';
import type { BrokerSettings } from './settings';

/** Why a listener could not start, in plain English. */
export function listenFailure(listener: ListenerConfig, err: unknown): string {
  const where = `${listener.host ?? '127.0.0.1'}:${listener.port ?? ''}`;
  switch (listenErrorCode(err)) {
    case 'EADDRINUSE':
      return `cannot listen on ${where} (${listener.name}): the port is already in use`;
    case 'EACCES':
      return `cannot listen on ${where} (${listener.name}): permission denied (ports below 1024 need privileges)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where} (${listener.name}): that address is not on this machine`;
    default:
      return `cannot listen on ${where} (${listener.name}): ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * Builds the broker engine from the settings, opens every listener and prints where it listens.
 * If a listener cannot start, the ones already open are closed and the reason is thrown.
 */
/** A started broker: its server, and how to stop it (server first, then the store). */
export interface RunningBroker {
  server: BrokerServer;
  close(): Promise<void>;
}

export async function startBroker(
  settings: BrokerSettings,
  log: Log,
  output: Output,
): Promise<RunningBroker> {
  const store =
    settings.dataDir === undefined
      ? undefined
      : new FileStore({
          directory: settings.dataDir,
          durability: settings.durability,
          log: (message) => log('warn', message),
        });
  const service = createBrokerService(
    {
      config: settings.config,
      users: settings.users,
      acl: settings.acl,
      allowAnonymous: settings.allowAnonymous,
      ...(store === undefined ? {} : { store, durability: settings.durability }),
    },
    { log },
  );
  const { server } = service;
  if (store !== undefined) {
    const { sessions, retained } = await restoreFromStore(service, store);
    log('info', `restored ${sessions} sessions and ${retained} retained messages from ${settings.dataDir}`);
  }
  server.on('event', (event) => {
    const [level, message] = describeEvent(event);
    log(level, message);
  });
  server.on('error', (err) => log('error', err.message));
  for (const listener of settings.listeners) {
    try {
      await server.listen(listener);
    } catch (err) {
      await server.close();
      await store?.close();
      throw new Error(listenFailure(listener, err));
    }
  }
  for (const info of server.listening) output.out(`listening on ${info.url}`);
  return {
    server,
    close: async () => {
      await server.close();
      await store?.close();
    },
  };
}
