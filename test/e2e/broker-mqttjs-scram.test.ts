import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { SCRAM_SHA_256, ScramSha256 } from '../../src/broker/scram';
import { ScramClient } from '../../src/broker/scram-client';
import { ScramUsers } from '../../src/broker/scram-users';
import { type RunningBroker, startBroker } from './broker-fixture';

/**
 * End to end: MQTT.js's enhanced authentication hooks (`properties.authenticationMethod` and
 * `authenticationData` in CONNECT, `handleAuth` for the server's AUTH) running SCRAM-SHA-256
 * against the broker over TCP. Re-authentication is left out: MQTT.js has no public way to send
 * AUTH 0x19.
 */

interface Outcome {
  client: MqttClient;
  connack?: { reasonCode: number | undefined; data: Buffer | undefined };
  error?: Error & { code?: number };
}

function connectWithScram(url: string, scram: ScramClient, options: IClientOptions = {}): Promise<Outcome> {
  const client = mqtt.connect(url, {
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    clientId: 'scram-client',
    properties: { authenticationMethod: SCRAM_SHA_256, authenticationData: scram.start() },
    ...options,
  });
  client.handleAuth = (packet, callback) => {
    const challenge = packet.properties?.authenticationData;
    if (challenge === undefined) {
      callback(new Error('AUTH without data'));
      return;
    }
    callback(undefined, {
      cmd: 'auth',
      reasonCode: 0x18,
      properties: { authenticationMethod: SCRAM_SHA_256, authenticationData: scram.respond(challenge) },
    });
  };
  return new Promise((resolve) => {
    client.once('connect', (connack) =>
      resolve({
        client,
        connack: { reasonCode: connack.reasonCode, data: connack.properties?.authenticationData },
      }),
    );
    client.once('error', (error) => resolve({ client, error }));
  });
}

describe('broker with MQTT.js: SCRAM-SHA-256 enhanced authentication', function () {
  this.timeout(20000);
  let broker: RunningBroker;
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    const users = new ScramUsers([{ username: 'alice', password: 'secret' }]);
    broker = await startBroker({ enhancedAuth: [new ScramSha256(users)] });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => new Promise<void>((r) => c.end(true, {}, () => r()))));
    await broker.close();
  });

  it('connects, with the server proving it knows the credential, and then works as usual', async () => {
    const scram = new ScramClient({ username: 'alice', password: 'secret' });
    const outcome = await connectWithScram(broker.url, scram);
    clients.push(outcome.client);
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.connack?.reasonCode, 0);
    scram.finish(outcome.connack?.data);
    const client = outcome.client;
    await client.subscribeAsync('scram/t', { qos: 1 });
    const got = new Promise<string>((resolve) =>
      client.once('message', (_t, payload) => resolve(payload.toString())),
    );
    await client.publishAsync('scram/t', 'hello', { qos: 1 });
    assert.equal(await got, 'hello');
    const connected = broker.events.find((e) => e.type === 'client-connected');
    assert.equal(connected?.type === 'client-connected' ? connected.username : undefined, 'alice');
  });

  it('is refused with CONNACK 0x86 for a wrong password', async () => {
    const outcome = await connectWithScram(
      broker.url,
      new ScramClient({ username: 'alice', password: 'guess' }),
    );
    clients.push(outcome.client);
    assert.equal(outcome.connack, undefined);
    assert.equal(outcome.error?.code, 0x86);
  });

  it('is refused with CONNACK 0x8C for a method the broker does not offer', async () => {
    const outcome = await connectWithScram(
      broker.url,
      new ScramClient({ username: 'alice', password: 'secret' }),
      {
        properties: {
          authenticationMethod: 'SCRAM-SHA-1',
          authenticationData: Buffer.from('n,,n=alice,r=abc'),
        },
      },
    );
    clients.push(outcome.client);
    assert.equal(outcome.error?.code, 0x8c);
  });
});
