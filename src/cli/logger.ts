import type { BrokerEvent } from '../broker/types';
import { assertNever } from '../protocol/types';
import type { Log, LogLevel } from '../server/types';
import type { CliLogLevel } from './args';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** A log that writes timestamped lines at `level` and above: info and debug to stdout, the rest to stderr. */
export function createLog(level: CliLogLevel, output: Output, now: () => Date = () => new Date()): Log {
  const threshold = RANK[level];
  return (at, message) => {
    if (RANK[at] < threshold) return;
    const line = `${now().toISOString()} ${at === 'info' ? '' : `${at}: `}${message}`;
    if (at === 'warn' || at === 'error') output.err(line);
    else output.out(line);
  };
}

function code(reasonCode: number): string {
  return `0x${reasonCode.toString(16).padStart(2, '0')}`;
}

function levelName(level: 3 | 4 | 5): string {
  return level === 5 ? 'MQTT 5.0' : level === 4 ? 'MQTT 3.1.1' : 'MQTT 3.1';
}

/** A broker event as a log line, and the level to log it at. */
export function describeEvent(event: BrokerEvent): [LogLevel, string] {
  switch (event.type) {
    case 'client-connected': {
      const user = event.username === undefined ? '' : `, user "${event.username}"`;
      const session = event.sessionPresent ? ', session resumed' : '';
      return [
        'info',
        `client "${event.clientId}" connected from ${event.remoteAddress} (${levelName(event.protocolLevel)}${user}${session})`,
      ];
    }
    case 'client-disconnected':
      return ['info', `client "${event.clientId}" disconnected: ${event.reason} (${code(event.reasonCode)})`];
    case 'connect-refused':
      return [
        'info',
        `refused client "${event.clientId}" from ${event.remoteAddress}: ${event.reason} (${code(event.reasonCode)})`,
      ];
    case 'protocol-error':
      return [
        'info',
        `protocol error from ${event.clientId === '' ? event.remoteAddress : `client "${event.clientId}"`}: ` +
          `${event.reason} (${code(event.reasonCode)})`,
      ];
    case 'message-dropped':
      return [
        'info',
        `dropped a message on "${event.topic}" for client "${event.clientId}": ${event.reason}`,
      ];
    case 'subscribed':
      return [
        'debug',
        `client "${event.clientId}" subscribed to "${event.filter}" (QoS ${event.qos}, ${code(event.reasonCode)})`,
      ];
    case 'unsubscribed':
      return ['debug', `client "${event.clientId}" unsubscribed from "${event.filter}"`];
    case 'published':
      return [
        'debug',
        `client "${event.clientId}" published ${event.payload.length} bytes to "${event.topic}" ` +
          `(QoS ${event.qos}${event.retain ? ', retained' : ''})`,
      ];
    default:
      return assertNever(event);
  }
}
