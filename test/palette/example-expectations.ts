import assert from 'node:assert/strict';
import { type Expectation, field, type Received, recordInto, type Shown } from './example-run';
import { isRecord } from './packed-package';

/**
 * What each shipped example does when it works, seen as a user sees it: in the Debug sidebar
 * after pressing its buttons, and from an MQTT client of their own (MQTT.js) on the example's
 * broker port. The same behaviour test/examples/examples.test.ts checks under the test helper;
 * here in a Node-RED with the package installed from its tarball. Keyed by example number.
 */

function payloadField(shown: Shown | undefined, name: string): unknown {
  const payload = field(shown, 'payload');
  return isRecord(payload) ? payload[name] : undefined;
}

/** Example 1: the reading, with its merged user properties, over TCP and in "Received". */
const publishAndSubscribe: Expectation = async (run) => {
  const client = await run.connect(`mqtt://127.0.0.1:${run.port(1883)}`);
  const overTcp: Received[] = [];
  client.on('message', recordInto(overTcp));
  await client.subscribeAsync('demo/sensors/#', { qos: 1 });
  await run.pressUntil(
    'ex1-inject',
    () => overTcp.length > 0 && run.shown('ex1-debug').length > 0,
    'the reading at the MQTT.js subscriber and at debug "Received"',
  );
  const userProperties = { site: 'lab', unit: 'celsius', source: 'node-red' };
  const reading = overTcp[0];
  assert.equal(reading?.topic, 'demo/sensors/kitchen');
  assert.deepEqual(JSON.parse(reading.payload), { celsius: 21.5, humidity: 40 });
  assert.deepEqual({ ...reading.userProperties }, userProperties);
  assert.equal(reading.contentType, 'application/json');
  const shown = run.shown('ex1-debug')[0];
  assert.equal(field(shown, 'topic'), 'demo/sensors/kitchen');
  assert.deepEqual(field(shown, 'payload'), { celsius: 21.5, humidity: 40 });
  assert.deepEqual(field(shown, 'userProperties'), userProperties);
  assert.equal(field(shown, 'contentType'), 'application/json');
  // The broker's events: the test's own client connecting.
  const clientId = client.options.clientId;
  await run.until(
    () =>
      run
        .shown('ex1-events')
        .some((event) => event.topic === 'client-connected' && payloadField(event, 'clientId') === clientId),
    `debug "Broker events" showing ${clientId} connect`,
  );
};

/** Example 2: the responder answers an outside request, and the example's own requester. */
const requestAndResponse: Expectation = async (run) => {
  const client = await run.connect(`mqtt://127.0.0.1:${run.port(1884)}`);
  const replies: Received[] = [];
  client.on('message', recordInto(replies));
  await client.subscribeAsync('palette/replies', { qos: 1 });
  // The responder subscribes as its flow starts: ask again until it answers.
  let asked = 0;
  await run.repeatUntil(
    async () => {
      asked++;
      await client.publishAsync('demo/service/add', JSON.stringify({ a: 40, b: asked }), {
        qos: 1,
        properties: {
          responseTopic: 'palette/replies',
          correlationData: Buffer.from(`request-${asked}`),
          contentType: 'application/json',
        },
      });
    },
    () => replies.length > 0,
    'a reply to an MQTT.js request on demo/service/add',
  );
  const reply = replies[0];
  const answer: unknown = JSON.parse(reply?.payload ?? '');
  assert.ok(isRecord(answer), `reply ${reply?.payload}`);
  const b = Number(answer['b']);
  assert.deepEqual(answer, { a: 40, b, sum: 40 + b });
  assert.equal(reply?.correlationData?.toString(), `request-${b}`, 'the reply names its request');
  assert.deepEqual({ ...reply?.userProperties }, { handledBy: 'ex2 responder' });

  await run.press('ex2-inject');
  await run.until(() => run.shown('ex2-debug').length > 0, 'the reply at debug "Reply"');
  const shown = run.shown('ex2-debug')[0];
  assert.deepEqual(field(shown, 'payload'), { a: 2, b: 3, sum: 5 });
  assert.deepEqual(field(shown, 'userProperties'), { handledBy: 'ex2 responder' });
  assert.equal(field(shown, 'contentType'), 'application/json');
  assert.deepEqual(run.shown('ex2-errors'), [], 'debug "Request failed" showed something');
};

/** Example 3: nine jobs, each done once, three by each worker (round-robin). */
const workerPool: Expectation = async (run) => {
  const workers = ['ex3-done1', 'ex3-done2', 'ex3-done3'];
  // The workers' debug nodes show msg.payload only.
  const payloads = (id: string): Record<string, unknown>[] =>
    run
      .shown(id)
      .map((shown) => shown.value)
      .filter(isRecord);
  const jobs = (id: string): unknown[] =>
    payloads(id)
      .map((payload) => payload['job'])
      .filter((job) => job !== undefined);
  // A job is lost if no worker has subscribed yet: first an outside producer's probe jobs, until
  // each worker has taken one, so that all three are in the shared group.
  const client = await run.connect(`mqtt://127.0.0.1:${run.port(1885)}`);
  let probes = 0;
  await run.repeatUntil(
    async () => {
      probes++;
      await client.publishAsync('jobs/probe', JSON.stringify({ probe: probes }), { qos: 1 });
    },
    () => workers.every((id) => payloads(id).some((payload) => payload['probe'] !== undefined)),
    'each of the three workers taking a probe job from MQTT.js',
  );
  await run.press('ex3-inject');
  await run.until(() => workers.flatMap(jobs).length >= 9, 'nine jobs done by the workers');
  await run.pause(300);
  const done = workers.flatMap(jobs).map(Number);
  assert.deepEqual(
    [...done].sort((x, y) => x - y),
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
    'each job done once',
  );
  assert.deepEqual(
    workers.map((id) => jobs(id).length),
    [3, 3, 3],
    'round-robin: three jobs each',
  );
  for (const id of workers) {
    for (const shown of run.shown(id)) assert.match(shown.topic, /^jobs\//);
  }
};

/** Example 4: retained statuses on the board and for a late subscriber; the will on a crash. */
const statusBoard: Expectation = async (run) => {
  const statuses = (device: string): string[] =>
    run
      .shown('ex4-board-debug')
      .filter((shown) => field(shown, 'topic') === `demo/devices/${device}/status`)
      .map((shown) => String(field(shown, 'payload')));
  await run.until(() => statuses('thermostat-1').includes('online'), 'the thermostat\'s birth "online"');
  await run.press('ex4-pump');
  await run.press('ex4-reading');
  await run.until(() => statuses('pump-7').includes('maintenance'), 'the pump\'s status "maintenance"');

  // A late subscriber gets the retained messages (subscribing again sends them again).
  const client = await run.connect(`mqtt://127.0.0.1:${run.port(1886)}`);
  const late: Received[] = [];
  client.on('message', recordInto(late));
  const retained = (): Record<string, string> =>
    Object.fromEntries(late.filter((message) => message.retain).map((m) => [m.topic, m.payload]));
  await run.repeatUntil(
    async () => {
      await client.unsubscribeAsync('demo/devices/#');
      await client.subscribeAsync('demo/devices/#', { qos: 1 });
    },
    () => Object.keys(retained()).length >= 3,
    'three retained messages for an MQTT.js subscriber',
  );
  assert.deepEqual(retained(), {
    'demo/devices/pump-7/status': 'maintenance',
    'demo/devices/thermostat-1/status': 'online',
    'demo/devices/thermostat-1/temperature': '21',
  });

  // "Show retained statuses": the broker node's answer.
  await run.press('ex4-retained');
  await run.until(
    () => run.shown('ex4-events').some((shown) => shown.topic === 'getRetained'),
    'the getRetained answer at debug "Broker events and answers"',
  );
  const answer = field(
    run.shown('ex4-events').find((shown) => shown.topic === 'getRetained'),
    'payload',
  );
  assert.ok(Array.isArray(answer), `getRetained answered ${JSON.stringify(answer)}`);
  assert.deepEqual(answer.map((entry: unknown) => (isRecord(entry) ? entry['topic'] : entry)).sort(), [
    'demo/devices/pump-7/status',
    'demo/devices/thermostat-1/status',
  ]);

  // "Simulate a crash": the broker drops the thermostat, publishes its will; it comes back.
  const before = statuses('thermostat-1').length;
  await run.press('ex4-crash');
  await run.until(
    () => statuses('thermostat-1').slice(before).includes('offline: connection lost'),
    'the thermostat\'s last will "offline: connection lost"',
  );
  await run.until(
    () => statuses('thermostat-1').slice(before).at(-1) === 'online',
    'the thermostat\'s birth "online" after it reconnected',
  );
};

/** Example 5: readings arrive only for what msg.action subscribed, and stop after unsubscribing. */
const dynamicSubscriptions: Expectation = async (run) => {
  const readings = (): string[] =>
    run
      .shown('ex5-debug')
      .filter((shown) => shown.topic.startsWith('demo/rooms/'))
      .map((shown) => shown.topic.split('/')[2] ?? '');
  const lists = (): unknown[] =>
    run
      .shown('ex5-debug')
      .filter((shown) => shown.topic === 'subscriptions')
      .map((shown) => field(shown, 'payload'));
  const listedTopics = (): unknown =>
    [lists().at(-1)]
      .flat()
      .map((entry) => (isRecord(entry) ? entry['topic'] : entry))
      .filter((topic) => topic !== undefined);
  const list = async (what: string): Promise<void> => {
    const count = lists().length;
    await run.press('ex5-list');
    await run.until(() => lists().length > count, `the subscriptions list ${what}`);
  };

  await list('at the start');
  assert.deepEqual(lists().at(-1), [], 'subscribed to something before any msg.action');

  await run.press('ex5-sub-kitchen');
  await run.pressUntil('ex5-rooms', () => readings().includes('kitchen'), 'a kitchen reading');
  await run.pause(300);
  assert.ok(!readings().includes('garage'), 'a garage reading while subscribed to the kitchen only');
  await list('after "Subscribe kitchen"');
  assert.deepEqual(listedTopics(), ['demo/rooms/kitchen/#']);

  await run.press('ex5-sub-all');
  const mark = readings().length;
  await run.pressUntil(
    'ex5-rooms',
    () => readings().slice(mark).includes('garage'),
    'a garage reading after "Subscribe all rooms"',
  );

  await run.press('ex5-unsub-all');
  const emptyList = (): boolean => {
    const last = lists().at(-1);
    return Array.isArray(last) && last.length === 0;
  };
  await run.pressUntil('ex5-list', emptyList, 'an empty subscriptions list after "Unsubscribe all"');
  // Readings stop: a press of "Rooms" that brings nothing within a second.
  let quiet = false;
  await run.repeatUntil(
    async () => {
      const count = readings().length;
      await run.press('ex5-rooms');
      await run.pause(1000);
      quiet = readings().length === count;
    },
    () => quiet,
    'the readings to stop after "Unsubscribe all"',
  );
};

/** Example 6: TLS, users and the ACL: the sensor's reading gets through, the dashboard's is refused. */
const securedBroker: Expectation = async (run) => {
  const dashboard = (): Shown[] => run.shown('ex6-dashboard-debug');
  await run.pressUntil(
    'ex6-reading',
    () => dashboard().length > 0,
    'the sensor\'s reading at debug "Dashboard" (both connect over TLS)',
  );
  assert.equal(field(dashboard()[0], 'topic'), 'secure/sensors/hall');
  assert.deepEqual(field(dashboard()[0], 'payload'), { celsius: 19.5 });

  // The dashboard may only read: its publish is refused, 0x87 Not authorized (MQTT 5 3.4.2.1).
  await run.press('ex6-forbidden');
  await run.until(
    () => run.shown('ex6-refused').length > 0,
    'the refused publish at debug "Refused by the ACL"',
  );
  assert.equal(field(run.shown('ex6-refused')[0], 'reasonCode'), 0x87);
  await run.pause(300);
  assert.ok(
    dashboard().every((shown) => field(shown, 'payload') !== 'spoofed'),
    'the refused publish reached the dashboard',
  );

  // From outside, over TLS with the certificate: the dashboard's password lets it read.
  const tls = { ca: [run.certificate()], servername: 'localhost' };
  const url = `mqtts://127.0.0.1:${run.port(8883)}`;
  const reader = await run.connect(url, { ...tls, username: 'dashboard', password: 'dashboard-secret' });
  const got: Received[] = [];
  reader.on('message', recordInto(got));
  await reader.subscribeAsync('secure/#', { qos: 1 });
  await run.pressUntil('ex6-reading', () => got.length > 0, 'the reading at an MQTT.js reader over TLS');
  assert.equal(`${got[0]?.topic} ${got[0]?.payload}`, 'secure/sensors/hall {"celsius":19.5}');
  // CONNACK 0x86 Bad User Name or Password, 0x87 Not authorized for an anonymous client (3.2.2.2).
  assert.equal(await run.refusal(url, { ...tls, username: 'dashboard', password: 'wrong' }), 0x86);
  assert.equal(await run.refusal(url, tls), 0x87);
};

/** What each example shows when it works, by example number (the first two characters). */
export const EXPECTATIONS: Record<string, { shows: string; expect: Expectation }> = {
  '01': {
    shows: 'the reading, with its user properties, at an MQTT.js subscriber and in the Debug sidebar',
    expect: publishAndSubscribe,
  },
  '02': { shows: 'replies to an outside request and to its own requester', expect: requestAndResponse },
  '03': { shows: 'nine jobs, each done once, three by each worker', expect: workerPool },
  '04': {
    shows: 'retained statuses on the board and for a late subscriber, and the will on a crash',
    expect: statusBoard,
  },
  '05': { shows: 'readings only for what msg.action subscribed', expect: dynamicSubscriptions },
  '06': {
    shows: 'over TLS: the sensor reading, the ACL refusal, and a password check',
    expect: securedBroker,
  },
};

/** The example number of a shipped example, e.g. `02` of `02 - Request and response`. */
export function exampleNumber(name: string): string {
  return name.slice(0, 2);
}
