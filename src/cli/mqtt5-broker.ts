#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliArgs, parseCliArgs, USAGE } from './args';
import { consoleOutput, createLog, type Output } from './logger';
import { resolveSettings } from './settings';
import { type RunningBroker, startBroker } from './start-broker';

/** `mqtt5-broker`: a standalone MQTT 5.0 / 3.1.1 / 3.1 broker on the same engine as the Node-RED node. */

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') {
      return pkg.version;
    }
  } catch {
    // Fall through: the version is only informative.
  }
  return 'unknown';
}

/** Runs the broker until SIGINT or SIGTERM; exits 0 after a clean close, 1 when it cannot start. */
export async function main(argv: readonly string[], output: Output = consoleOutput): Promise<void> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    output.err(`error: ${message(err)}`);
    output.err('Run mqtt5-broker --help to see the options.');
    process.exit(1);
  }
  if (args.help) {
    output.out(USAGE);
    return;
  }
  if (args.version) {
    output.out(packageVersion());
    return;
  }
  const log = createLog(args.logLevel ?? 'info', output);
  // Signals are handled from the start: one that comes while the broker is still starting stops
  // it as soon as it has started, rather than killing the process half way.
  let running: Promise<RunningBroker | undefined> = Promise.resolve(undefined);
  const stop = (signal: NodeJS.Signals) => {
    log('info', `${signal} received: shutting down`);
    running
      .then((broker) => broker?.close())
      .then(
        () => {
          log('info', 'stopped');
          process.exit(0);
        },
        (err: unknown) => {
          output.err(`error: while shutting down: ${message(err)}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  running = resolveSettings(args)
    .then((settings) => startBroker(settings, createLog(settings.logLevel, output), output))
    .catch((err: unknown) => {
      output.err(`error: ${message(err)}`);
      process.exit(1);
    });
  await running;
}

if (require.main === module) void main(process.argv.slice(2));
