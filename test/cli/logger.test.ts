import assert from 'node:assert/strict';
import { createLog, describeEvent } from '../../src/cli/logger';

describe('mqtt5-broker log', () => {
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
  }
  const at = () => new Date('2024-01-02T03:04:05.000Z');

  it('writes info to stdout and warnings and errors to stderr, with a timestamp', () => {
    const { output, out, err } = capture();
    const log = createLog('info', output, at);
    log('info', 'hello');
    log('debug', 'hidden');
    log('error', 'bad');
    assert.deepEqual(out, ['2024-01-02T03:04:05.000Z hello']);
    assert.deepEqual(err, ['2024-01-02T03:04:05.000Z error: bad']);
  });

  it('shows debug lines at debug level', () => {
    const { output, out } = capture();
    createLog('debug', output, at)('debug', 'detail');
    assert.deepEqual(out, ['2024-01-02T03:04:05.000Z debug: detail']);
  });

  it('logs connects and disconnects at info, traffic at debug', () => {
    assert.deepEqual(
      describeEvent({
        type: 'client-connected',
        clientId: 'c1',
        username: 'alice',
        protocolLevel: 5,
        remoteAddress: '127.0.0.1:5000',
        sessionPresent: false,
      }),
      ['info', 'client "c1" connected from 127.0.0.1:5000 (MQTT 5.0, user "alice")'],
    );
    assert.deepEqual(
      describeEvent({
        type: 'client-disconnected',
        clientId: 'c1',
        reasonCode: 0,
        reason: 'normal disconnection',
      }),
      ['info', 'client "c1" disconnected: normal disconnection (0x00)'],
    );
    assert.equal(
      describeEvent({
        type: 'published',
        clientId: 'c1',
        topic: 't',
        qos: 1,
        retain: true,
        payload: Buffer.from('ab'),
      })[0],
      'debug',
    );
    assert.deepEqual(
      describeEvent({
        type: 'connect-refused',
        clientId: 'c2',
        reasonCode: 0x86,
        reason: 'bad user name or password',
        remoteAddress: '127.0.0.1:5001',
      }),
      ['info', 'refused client "c2" from 127.0.0.1:5001: bad user name or password (0x86)'],
    );
  });
});
