import { connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { WebSocket, type ClientOptions as WsClientOptions } from 'ws';
import { SocketTransport } from '../transport/socket-transport';
import type { Transport } from '../transport/transport';
import { WebSocketTransport } from '../transport/websocket-transport';
import { MQTT_SUBPROTOCOL } from '../transport/websocket-upgrade';

export type UrlScheme = 'mqtt' | 'mqtts' | 'ws' | 'wss';

export interface ConnectTarget {
  scheme: UrlScheme;
  host: string;
  port: number;
  /** WebSocket only: the path, `/mqtt` by default. */
  path: string;
  /** The URL as given, for WebSocket. */
  href: string;
}

const DEFAULT_PORTS: Record<UrlScheme, number> = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 };

function isScheme(value: string): value is UrlScheme {
  return value === 'mqtt' || value === 'mqtts' || value === 'ws' || value === 'wss';
}

/** Parses `mqtt://`, `mqtts://`, `ws://` or `wss://` URLs; throws an Error for anything else. */
export function parseConnectUrl(url: string): ConnectTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`invalid broker URL: ${url}`);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (!isScheme(scheme)) throw new Error(`unsupported URL scheme ${scheme}: use mqtt, mqtts, ws or wss`);
  if (parsed.hostname === '') throw new Error(`broker URL without a host: ${url}`);
  const port = parsed.port === '' ? DEFAULT_PORTS[scheme] : Number(parsed.port);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const path = parsed.pathname === '' || parsed.pathname === '/' ? '/mqtt' : parsed.pathname;
  const href =
    scheme === 'ws' || scheme === 'wss' ? `${scheme}://${parsed.host}${path}${parsed.search}` : url;
  return { scheme, host, port, path, href };
}

export interface OpenOptions {
  /** Options for `tls.connect` (mqtts) and the `ws` client (wss): CA, client certificate, ... */
  tls?: ConnectionOptions;
  /** More options for the `ws` client. */
  ws?: WsClientOptions;
  /** Give up opening after this long; 30 s by default. */
  timeoutMs?: number;
}

function openSocket(
  socket: Socket,
  readyEvent: 'connect' | 'secureConnect',
  timeoutMs: number,
): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection not open within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      resolve(new SocketTransport(socket));
    });
  });
}

function openWebSocket(target: ConnectTarget, options: OpenOptions, timeoutMs: number): Promise<Transport> {
  return new Promise((resolve, reject) => {
    // `ws` types checkServerIdentity differently from `tls`; the rest of the TLS options carry over.
    const { checkServerIdentity: _check, ...tls } = options.tls ?? {};
    const ws = new WebSocket(target.href, MQTT_SUBPROTOCOL, {
      ...tls,
      ...options.ws,
      handshakeTimeout: timeoutMs,
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode ?? '?'}`));
    });
    ws.once('open', () => {
      ws.off('error', reject);
      resolve(new WebSocketTransport(ws, `${target.host}:${target.port}`));
    });
  });
}

/** Opens a byte stream to the broker the URL names. */
export function openUrlTransport(target: ConnectTarget, options: OpenOptions = {}): Promise<Transport> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  switch (target.scheme) {
    case 'mqtt':
      return openSocket(netConnect({ host: target.host, port: target.port }), 'connect', timeoutMs);
    case 'mqtts':
      return openSocket(
        tlsConnect({ host: target.host, port: target.port, servername: target.host, ...options.tls }),
        'secureConnect',
        timeoutMs,
      );
    case 'ws':
    case 'wss':
      return openWebSocket(target, options, timeoutMs);
  }
}
