import WebSocket from 'ws';
import { isRecord } from './packed-package';

/**
 * What the editor's Debug sidebar receives: the runtime's comms WebSocket (`/comms`), topic `debug`.
 * Without adminAuth the connection needs no token.
 */

export interface DebugMessage {
  /** The id of the debug node that sent it. */
  id: string;
  /** msg.topic, when the debug node shows it. */
  topic: string;
  /** The shown value, as the sidebar gets it (a string; objects come as JSON). */
  msg: string;
  /** Its format, e.g. `string[5]` or `Object`. */
  format: string;
}

export interface DebugSidebar {
  messages: DebugMessage[];
  close(): void;
}

function debugMessage(data: unknown): DebugMessage | undefined {
  if (!isRecord(data) || typeof data['id'] !== 'string') return undefined;
  const text = (value: unknown): string =>
    typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return { id: data['id'], topic: text(data['topic']), msg: text(data['msg']), format: text(data['format']) };
}

/** Opens the comms socket and subscribes to `debug`; resolves once subscribed. */
export function watchDebug(editorUrl: string, timeoutMs = 10000): Promise<DebugSidebar> {
  const socket = new WebSocket(`${editorUrl.replace(/^http/, 'ws')}comms`);
  const messages: DebugMessage[] = [];
  socket.on('message', (raw) => {
    const parsed: unknown = JSON.parse(raw.toString());
    for (const event of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!isRecord(event) || event['topic'] !== 'debug') continue;
      const message = debugMessage(event['data']);
      if (message !== undefined) messages.push(message);
    }
  });
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      socket.terminate();
      fail(new Error(`the comms socket did not open within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    socket.once('open', () => {
      clearTimeout(timer);
      socket.send(JSON.stringify({ subscribe: 'debug' }));
      done({ messages, close: () => socket.terminate() });
    });
  });
}
