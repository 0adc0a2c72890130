import type { Server as HttpServer } from 'node:http';
import type { BrokerServer } from '../../src/server/broker-server';
import { openListeners } from '../../src/server/broker-service';
import type { ListenerConfig } from '../../src/server/types';
import type { TlsCredentials } from '../../src/transport/tls';
import { listenProblem } from './listen-errors';
import { type ListenerSpec, listenerLabel, toListenerConfig } from './listeners';
import type { Problem, Result } from './problems';

export interface StartedListeners {
  /** Status labels of the listeners that opened, in the editor's order. */
  labels: string[];
  /** Why the others did not. */
  problems: Problem[];
}

/**
 * Opens the node's listeners. One that cannot open (port in use, no TLS key, no HTTP server to
 * share) is reported and skipped: the others, and in-process connections, still work.
 */
export async function startListeners(
  server: BrokerServer,
  specs: readonly ListenerSpec[],
  tls: () => Result<TlsCredentials>,
  httpServer: HttpServer | undefined,
): Promise<StartedListeners> {
  const problems: Problem[] = [];
  const configs: [ListenerSpec, ListenerConfig][] = [];
  let credentials: Result<TlsCredentials> | undefined;
  for (const spec of specs) {
    if (spec.secure) {
      credentials ??= tls();
      if (!credentials.ok) {
        problems.push(credentials.problem);
        continue;
      }
    }
    if (spec.kind === 'ws-node-red' && httpServer === undefined) {
      problems.push({ key: 'listen-no-http-server', params: { path: spec.path ?? '' } });
      continue;
    }
    const key = credentials?.ok === true ? credentials.value : undefined;
    configs.push([spec, toListenerConfig(spec, key, httpServer)]);
  }
  const results = await openListeners(
    server,
    configs.map(([, config]) => config),
  );
  const labels: string[] = [];
  results.forEach((result, i) => {
    const spec = configs[i]?.[0];
    if (spec === undefined) return;
    if (result.ok) labels.push(listenerLabel(spec, result.port));
    else problems.push(listenProblem(spec, result.error));
  });
  return { labels, problems };
}

/**
 * Closes the broker within `boundMs`: first lets listeners still opening finish (so none is left
 * bound behind the close), then closes, which resolves once every port is released. Resolves
 * false if the bound ran out first.
 */
export async function stopServer(
  started: Promise<void>,
  server: BrokerServer,
  boundMs: number,
): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  await within(started, boundMs / 2);
  return within(server.close(), Math.max(0, deadline - Date.now()));
}

/** Resolves true when `work` settles within `ms`, false when the bound runs out first. */
export function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settle = () => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(settle, settle);
  });
}
