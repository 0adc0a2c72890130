import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../nodes/build/demo-runtime';
import { machineNode } from './machine-node';
import { isRecord } from './packed-package';
import type { StandIn } from './registry-stand-in';

/** One check of the scorecard (`P01`, `N02`, `D03`, …) and what node-red-dev recorded with it. */
export interface Check {
  id: string;
  passed: boolean;
  detail: Record<string, unknown>;
}

export interface Validation {
  checks: Check[];
  /** What node-red-dev printed (stdout and stderr). */
  output: string;
  code: number | null;
  ms: number;
}

const VALIDATE_TIMEOUT_MS = 60000;

/**
 * Runs `node-red-dev validate -p <packageDir> -o <scorecard>` from `node_modules`, its lookups
 * answered by `standIn` (see registry-stand-in.ts), and reads the scorecard it writes.
 */
export function validate(packageDir: string, scorecard: string, standIn: StandIn): Promise<Validation> {
  const cli = join(REPO_ROOT, 'node_modules', 'node-red-dev', 'bin', 'run');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_V8_COVERAGE: '',
    // axios sends https URLs through this proxy, as plain HTTP with the absolute URL.
    https_proxy: standIn.origin,
    HTTPS_PROXY: standIn.origin,
    http_proxy: '',
    HTTP_PROXY: '',
    no_proxy: '',
    NO_PROXY: '',
    // registry-url reads npm's settings through rc('npm'): `npm_<key>` environment variables.
    npm_registry: `${standIn.origin}/`,
  };
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(machineNode(), [cli, 'validate', '-p', packageDir, '-o', scorecard], {
      cwd: packageDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), VALIDATE_TIMEOUT_MS);
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      fail(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      const ms = Date.now() - started;
      if (!existsSync(scorecard)) {
        fail(new Error(`node-red-dev wrote no scorecard (exit ${code}, ${ms} ms):\n${output}`));
        return;
      }
      done({ checks: checksOf(readFileSync(scorecard, 'utf8')), output, code, ms });
    });
  });
}

function checksOf(text: string): Check[] {
  const card: unknown = JSON.parse(text);
  if (!isRecord(card)) throw new Error(`the scorecard is not an object: ${text}`);
  return Object.entries(card)
    .filter(([id]) => /^[A-Z]\d\d$/.test(id))
    .map(([id, value]) => {
      if (!isRecord(value) || typeof value['test'] !== 'boolean')
        throw new Error(`check ${id}: ${JSON.stringify(value)}`);
      return { id, passed: value['test'], detail: value };
    });
}
