import { listenErrorCode } from '../../src/server/broker-service';
import type { ListenerSpec } from './listeners';
import { errorMessage, type Problem, problem } from './problems';

/** Why a listener did not open, as an i18n key under `mqtt5-broker.errors`. */
export function listenProblem(spec: ListenerSpec, error: unknown): Problem {
  if (spec.kind === 'ws-node-red')
    return problem('listen-path-failed', { path: spec.path ?? '', reason: errorMessage(error) });
  const port = spec.port ?? 0;
  switch (listenErrorCode(error)) {
    case 'EADDRINUSE':
      return problem('listen-in-use', { port });
    case 'EACCES':
      return problem('listen-denied', { port });
    case 'EADDRNOTAVAIL':
      return problem('listen-address', { host: spec.host, port });
    default:
      return problem('listen-failed', { port, reason: errorMessage(error) });
  }
}
