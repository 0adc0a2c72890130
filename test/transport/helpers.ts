import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type ClientOptions, WebSocket } from 'ws';
import type { Transport } from '../../src/transport/transport';

/** Every wait in these tests is bounded. */
export const WAIT_MS = 5000;

export function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `check` holds, polling; rejects after the bound. */
export async function until(check: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(5);
  }
}

/** Records what a transport receives, and when it closes. */
export class Recorder {
  readonly chunks: Buffer[] = [];
  closed = false;
  closeError: Error | undefined;
  readonly whenClosed: Promise<Error | undefined>;

  constructor(transport: Transport) {
    transport.onData((chunk) => this.chunks.push(chunk));
    this.whenClosed = new Promise((resolve) => {
      transport.onClose((error) => {
        this.closed = true;
        this.closeError = error;
        resolve(error);
      });
    });
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Waits until at least `n` bytes have arrived. */
  received(n: number): Promise<void> {
    return until(() => this.bytes.length >= n, `${n} bytes`);
  }
}

/** Waits for the next transport a listener hands over. */
export class Accepted {
  private readonly queue: Transport[] = [];
  readonly handler = (t: Transport): void => {
    this.queue.push(t);
  };

  async next(): Promise<Transport> {
    await until(() => this.queue.length > 0, 'an accepted connection');
    const t = this.queue.shift();
    if (t === undefined) throw new Error('no connection');
    return t;
  }
}

/** A plain TCP client connected to 127.0.0.1:`port`. */
export function connectTcp(port: number): Promise<Socket> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const socket = netConnect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    }),
    `a TCP connection to port ${port}`,
  );
}

/** A TLS client that trusts `ca`, connected to 127.0.0.1:`port` as `localhost`. */
export function connectTlsClient(port: number, ca: Buffer): Promise<TLSSocket> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    }),
    'a TLS handshake',
  );
}

/** Resolves when a socket has closed. */
export function socketClosed(socket: Socket): Promise<void> {
  if (socket.destroyed && socket.closed) return Promise.resolve();
  return withTimeout(new Promise((resolve) => socket.once('close', () => resolve())), 'the socket to close');
}

/** Collects what a socket receives. */
export function collectSocket(socket: Socket): { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return { bytes: () => Buffer.concat(chunks) };
}

export interface SelfSignedCert {
  key: Buffer;
  cert: Buffer;
}

/**
 * A throwaway key and self-signed certificate for CN=localhost, made by openssl in a temp dir.
 * Without openssl this fails loudly: the TLS tests must not be skipped silently.
 */
export function makeSelfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt5-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    const result = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-days',
        '1',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { encoding: 'utf8', timeout: 30000 },
    );
    if (result.error !== undefined) {
      throw new Error(
        `the TLS tests need openssl on the PATH to make a test certificate: ${result.error.message}`,
      );
    }
    if (result.status !== 0) throw new Error(`openssl could not make a test certificate: ${result.stderr}`);
    return { key: readFileSync(keyPath), cert: readFileSync(certPath) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a WebSocket client saw of a handshake: the open socket, or the HTTP status of a refusal. */
export type WsOutcome = { open: WebSocket } | { status: number };

/** Opens a `ws` client and reports whether the server accepted it. */
export function openWebSocket(
  url: string,
  protocols: string[] | undefined,
  options: ClientOptions = {},
): Promise<WsOutcome> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, options);
      ws.once('open', () => resolve({ open: ws }));
      ws.once('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode ?? 0 });
        res.resume();
        ws.terminate();
      });
      ws.once('error', reject);
    }),
    `a WebSocket handshake with ${url}`,
  );
}

/** The open socket of an outcome, or a failed assertion naming the status. */
export function opened(outcome: WsOutcome): WebSocket {
  if ('open' in outcome) return outcome.open;
  throw new Error(`the handshake was refused with HTTP ${outcome.status}`);
}

/** Resolves with the close code once a WebSocket client has closed (0 if it already had). */
export function wsClosed(ws: WebSocket): Promise<number> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve(0);
  return withTimeout(
    new Promise((resolve) => ws.once('close', (code) => resolve(code))),
    'the WebSocket to close',
  );
}
