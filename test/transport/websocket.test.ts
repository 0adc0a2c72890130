import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TransportListener } from '../../src/transport/transport';
import { attachWebSocket, listenWebSocket } from '../../src/transport/websocket';
import { selectSubprotocol } from '../../src/transport/websocket-upgrade';
import {
  Accepted,
  makeSelfSignedCert,
  opened,
  openWebSocket,
  Recorder,
  until,
  withTimeout,
  wsClosed,
} from './helpers';

function httpGet(url: string): Promise<number> {
  return withTimeout(
    fetch(url).then(async (res) => {
      await res.text();
      return res.status;
    }),
    `GET ${url}`,
  );
}

describe('WebSocket transport', () => {
  const open: TransportListener[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close(0)));
  });

  async function listen(accepted: Accepted, path?: string): Promise<TransportListener> {
    const listener = await listenWebSocket({ port: 0, path }, accepted.handler);
    open.push(listener);
    return listener;
  }

  describe('subprotocol', () => {
    it('selects mqtt whenever it is offered [MQTT-6.0.0-4]', () => {
      assert.equal(selectSubprotocol('mqtt'), 'mqtt');
      assert.equal(selectSubprotocol('foo, mqtt'), 'mqtt');
      assert.equal(selectSubprotocol('mqttv3.1,mqtt'), 'mqtt');
      assert.equal(selectSubprotocol('foo'), undefined);
      assert.equal(selectSubprotocol(undefined), undefined);
    });

    it('accepts a handshake offering mqtt among others and answers with mqtt', async () => {
      const listener = await listen(new Accepted());
      const ws = opened(await openWebSocket(`ws://127.0.0.1:${listener.port}/`, ['foo', 'mqtt']));
      assert.equal(ws.protocol, 'mqtt');
      ws.terminate();
    });

    it('refuses a handshake that offers no subprotocol [MQTT-6.0.0-3]', async () => {
      const accepted = new Accepted();
      const listener = await listen(accepted);
      assert.deepEqual(await openWebSocket(`ws://127.0.0.1:${listener.port}/`, undefined), { status: 400 });
    });

    it('refuses a handshake that offers only other subprotocols', async () => {
      const listener = await listen(new Accepted());
      assert.deepEqual(await openWebSocket(`ws://127.0.0.1:${listener.port}/`, ['chat']), { status: 400 });
    });
  });

  describe('on its own port', () => {
    it('delivers each binary frame as a chunk, so packets may span frames [MQTT-6.0.0-2]', async () => {
      const accepted = new Accepted();
      const listener = await listen(accepted);
      assert.equal(listener.host, '127.0.0.1');
      const ws = opened(await openWebSocket(`ws://127.0.0.1:${listener.port}/`, ['mqtt']));
      const server = await accepted.next();
      const recorder = new Recorder(server);
      assert.match(server.remoteAddress, /^127\.0\.0\.1:\d+$/);
      ws.send(Buffer.from([0x10, 0x05, 0x00]));
      ws.send(Buffer.from([0x04, 0x4d, 0x51]));
      await recorder.received(6);
      assert.equal(recorder.chunks.length, 2);
      assert.deepEqual(recorder.bytes, Buffer.from([0x10, 0x05, 0x00, 0x04, 0x4d, 0x51]));
      const replies: Buffer[] = [];
      ws.on('message', (data, isBinary) => {
        assert.equal(isBinary, true, 'the server sends binary frames');
        if (Buffer.isBuffer(data)) replies.push(data);
      });
      assert.equal(server.write(Buffer.from([0x20, 0x00])), true);
      await until(() => replies.length === 1, 'the reply');
      assert.deepEqual(replies[0], Buffer.from([0x20, 0x00]));
      server.close();
      assert.equal(await wsClosed(ws), 1000);
      await withTimeout(recorder.whenClosed, 'the server side to close');
    });

    it('closes the connection on a text frame [MQTT-6.0.0-1]', async () => {
      const accepted = new Accepted();
      const listener = await listen(accepted);
      const ws = opened(await openWebSocket(`ws://127.0.0.1:${listener.port}/`, ['mqtt']));
      const server = await accepted.next();
      const recorder = new Recorder(server);
      ws.send('not binary');
      assert.equal(await wsClosed(ws), 1003);
      const error = await withTimeout(recorder.whenClosed, 'the server side to close');
      assert.match(String(error?.message), /text WebSocket frame/);
      assert.equal(recorder.chunks.length, 0, 'the text is not passed on');
    });

    it('serves only its path when given one, and answers plain HTTP with 426', async () => {
      const listener = await listen(new Accepted(), '/mqtt');
      assert.deepEqual(await openWebSocket(`ws://127.0.0.1:${listener.port}/other`, ['mqtt']), {
        status: 404,
      });
      const ws = opened(await openWebSocket(`ws://127.0.0.1:${listener.port}/mqtt?x=1`, ['mqtt']));
      ws.terminate();
      assert.equal(await httpGet(`http://127.0.0.1:${listener.port}/mqtt`), 426);
    });

    it('closes its connections and releases the port on close', async () => {
      const accepted = new Accepted();
      const first = await listenWebSocket({ port: 0 }, accepted.handler);
      const ws = opened(await openWebSocket(`ws://127.0.0.1:${first.port}/`, ['mqtt']));
      await accepted.next();
      const closed = wsClosed(ws);
      await withTimeout(first.close(200), 'the listener to close');
      assert.equal(await closed, 1001, 'going away');
      const second = await listenWebSocket({ port: first.port }, () => undefined);
      open.push(second);
      assert.equal(second.port, first.port);
    });

    it('serves wss:// when given TLS credentials', async () => {
      const pem = makeSelfSignedCert();
      const accepted = new Accepted();
      const listener = await listenWebSocket(
        { port: 0, tls: { key: pem.key, cert: pem.cert } },
        accepted.handler,
      );
      open.push(listener);
      const ws = opened(await openWebSocket(`wss://127.0.0.1:${listener.port}/`, ['mqtt'], { ca: pem.cert }));
      const recorder = new Recorder(await accepted.next());
      ws.send(Buffer.from([0xc0, 0x00]));
      await recorder.received(2);
      ws.terminate();
    });
  });

  describe('attached to an existing HTTP server', () => {
    let http: Server;
    let port: number;

    beforeEach(async () => {
      http = createServer((_req, res) => res.end('node-red'));
      // Another owner of upgrades on the same server, like Node-RED's editor comms.
      http.on('upgrade', (req, socket: Duplex) => {
        if (req.url === '/comms') socket.end('HTTP/1.1 418 I am a teapot\r\nConnection: close\r\n\r\n');
      });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const address = http.address();
      port = address !== null && typeof address === 'object' ? address.port : 0;
    });

    afterEach(async () => {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    });

    it('serves MQTT at its path and leaves other upgrades and requests alone', async () => {
      const accepted = new Accepted();
      const listener = attachWebSocket(http, { path: '/mqtt' }, accepted.handler);
      open.push(listener);
      assert.equal(listener.port, port);
      const ws = opened(await openWebSocket(`ws://127.0.0.1:${port}/mqtt`, ['mqtt']));
      const recorder = new Recorder(await accepted.next());
      ws.send(Buffer.from([0xc0, 0x00]));
      await recorder.received(2);
      assert.deepEqual(await openWebSocket(`ws://127.0.0.1:${port}/comms`, ['mqtt']), { status: 418 });
      assert.equal(await httpGet(`http://127.0.0.1:${port}/`), 200);
      ws.terminate();
    });

    it('removes its upgrade listener and closes its connections when detached', async () => {
      const before = http.listenerCount('upgrade');
      const accepted = new Accepted();
      const listener = attachWebSocket(http, { path: '/mqtt' }, accepted.handler);
      assert.equal(http.listenerCount('upgrade'), before + 1);
      const ws = opened(await openWebSocket(`ws://127.0.0.1:${port}/mqtt`, ['mqtt']));
      await accepted.next();
      const closed = wsClosed(ws);
      await withTimeout(listener.close(200), 'the detach');
      assert.equal(http.listenerCount('upgrade'), before);
      assert.equal(await closed, 1001, 'going away');
      assert.equal(http.listening, true, 'the host server keeps running');
    });
  });
});
