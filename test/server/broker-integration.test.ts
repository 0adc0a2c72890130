import assert from 'node:assert/strict';
import { Broker } from '../../src/broker/broker';
import type { BrokerEvent } from '../../src/broker/types';
import { ReasonCode } from '../../src/protocol/reason-codes';
import { BrokerServer } from '../../src/server/broker-server';
import { createTransportPair } from '../../src/transport/in-process';
import {
  connectTcp,
  connectTlsClient,
  makeSelfSignedCert,
  opened,
  openWebSocket,
  until,
  withTimeout,
} from '../transport/helpers';
import { socketLink, TestMqttClient } from './mqtt-client';

describe('BrokerServer with the real Broker engine', () => {
  let server: BrokerServer;
  let events: BrokerEvent[];

  function start(options: ConstructorParameters<typeof Broker>[0] = {}, tickInterval = 1000): BrokerServer {
    const created = new BrokerServer(
      new Broker({ ...options, config: { sysInterval: 0, ...options.config } }),
      {
        tickInterval,
        closeTimeout: 500,
      },
    );
    created.on('event', (e) => events.push(e));
    return created;
  }

  beforeEach(() => {
    events = [];
    server = start();
  });

  afterEach(async () => {
    await withTimeout(server.close(), 'the server to close');
  });

  async function tcpClient(port: number, level: 3 | 4 | 5 = 5): Promise<TestMqttClient> {
    return new TestMqttClient(socketLink(await connectTcp(port)), level);
  }

  function inProcessClient(): TestMqttClient {
    const [client, serverEnd] = createTransportPair({ b: 'in-process' });
    server.attach(serverEnd, 'local');
    return new TestMqttClient({
      send: (b) => client.write(b),
      onBytes: (cb) => client.onData(cb),
      onClose: (cb) => client.onClose(() => cb()),
    });
  }

  it('answers a v5 CONNECT over TCP with a successful CONNACK and reports the client', async () => {
    const { port } = await server.listen({ name: 'tcp', type: 'tcp', port: 0 });
    const client = await tcpClient(port);
    client.connect('tcp-client');
    const connack = await client.next('connack');
    assert.equal(connack.reasonCode, ReasonCode.Success);
    await until(() => events.some((e) => e.type === 'client-connected'), 'the connected event');
    const connected = events.find((e) => e.type === 'client-connected');
    assert.equal(connected?.type === 'client-connected' && connected.clientId, 'tcp-client');
  });

  it('answers a 3.1.1 CONNECT with a 3.1.1 CONNACK', async () => {
    const { port } = await server.listen({ name: 'tcp', type: 'tcp', port: 0 });
    const client = await tcpClient(port, 4);
    client.connect('old-client');
    assert.equal((await client.next('connack')).reasonCode, 0);
  });

  it('routes a message from a TCP client to an in-process subscriber', async () => {
    const { port } = await server.listen({ name: 'tcp', type: 'tcp', port: 0 });
    const subscriber = inProcessClient();
    subscriber.connect('sub');
    await subscriber.next('connack');
    subscriber.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: 'a/+', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    });
    await subscriber.next('suback');
    const publisher = await tcpClient(port);
    publisher.connect('pub');
    await publisher.next('connack');
    publisher.send({
      type: 'publish',
      topic: 'a/b',
      payload: Buffer.from('hello'),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 7,
    });
    await publisher.next('puback');
    const delivered = await subscriber.next('publish');
    assert.equal(delivered.topic, 'a/b');
    assert.equal(delivered.payload.toString(), 'hello');
  });

  it('serves WebSocket and TLS clients', async () => {
    const pem = makeSelfSignedCert();
    const ws = await server.listen({ name: 'ws', type: 'ws', port: 0, path: '/mqtt' });
    const tls = await server.listen({
      name: 'tls',
      type: 'tls',
      port: 0,
      tls: { key: pem.key, cert: pem.cert },
    });
    const socket = opened(await openWebSocket(`ws://127.0.0.1:${ws.port}/mqtt`, ['mqtt']));
    const wsClient = new TestMqttClient({
      send: (b) => socket.send(b),
      onBytes: (cb) => socket.on('message', (data) => Buffer.isBuffer(data) && cb(data)),
      onClose: (cb) => socket.once('close', cb),
    });
    wsClient.connect('ws-client');
    assert.equal((await wsClient.next('connack')).reasonCode, 0);
    const tlsClient = new TestMqttClient(socketLink(await connectTlsClient(tls.port, pem.cert)));
    tlsClient.connect('tls-client');
    assert.equal((await tlsClient.next('connack')).reasonCode, 0);
    socket.terminate();
  });

  it('answers a malformed packet with DISCONNECT 0x81 and leaves other clients alone', async () => {
    const { port } = await server.listen({ name: 'tcp', type: 'tcp', port: 0 });
    const bystander = await tcpClient(port);
    bystander.connect('bystander');
    await bystander.next('connack');
    const socket = await connectTcp(port);
    const bad = new TestMqttClient(socketLink(socket));
    bad.connect('bad');
    await bad.next('connack');
    socket.write(Buffer.from([0x00, 0x00]));
    assert.equal((await bad.next('disconnect')).reasonCode, ReasonCode.MalformedPacket);
    await bad.whenClosed();
    bystander.send({ type: 'pingreq' });
    await bystander.next('pingresp');
  });

  it('closes a connection that never sends CONNECT', async () => {
    await server.close();
    server = start({ config: { connectTimeout: 50 } }, 20);
    const { port } = await server.listen({ name: 'tcp', type: 'tcp', port: 0 });
    const silent = await tcpClient(port);
    await silent.whenClosed();
  });

  it('on close sends DISCONNECT 0x8B, closes every client and frees the port for the next deploy', async () => {
    const { port } = await server.listen({ name: 'tcp', type: 'tcp', port: 0 });
    const client = await tcpClient(port);
    client.connect('stays');
    await client.next('connack');
    const local = inProcessClient();
    local.connect('local');
    await local.next('connack');
    await withTimeout(server.close(), 'the close');
    assert.equal((await client.next('disconnect')).reasonCode, ReasonCode.ServerShuttingDown);
    assert.equal((await local.next('disconnect')).reasonCode, ReasonCode.ServerShuttingDown);
    await client.whenClosed();
    await local.whenClosed();
    server = start();
    assert.deepEqual(await server.listen({ name: 'tcp', type: 'tcp', port }), { port });
    const again = await tcpClient(port);
    again.connect('stays', { cleanStart: false });
    assert.equal((await again.next('connack')).reasonCode, 0);
  });
});
