import assert from 'node:assert/strict';
import type { Mqtt5Connection } from '../../nodes/lib/connection-api';
import { DEFAULT_OPTIONS } from '../../nodes/lib/in-subscription';
import { InSubscriptions } from '../../nodes/lib/in-subscriptions';

/** Only what `InSubscriptions` calls while the connection is down: unsubscribe. */
function offlineConnection(): Mqtt5Connection {
  const partial: Pick<Mqtt5Connection, 'unsubscribe'> = { unsubscribe: async () => undefined };
  return partial as Mqtt5Connection;
}

describe('in node subscriptions', () => {
  it('gives the output type of the first subscription the topic matches, as they change', async () => {
    const subs = new InSubscriptions(
      offlineConnection(),
      'node-1',
      () => undefined,
      true,
      () => undefined,
    );
    await subs.add({ topic: 'a/+', options: DEFAULT_OPTIONS, datatype: 'json' });
    await subs.add({ topic: 'a/#', options: DEFAULT_OPTIONS, datatype: 'buffer' });
    for (let i = 0; i < 2; i++) {
      assert.equal(subs.datatypeFor('a/1'), 'json');
      assert.equal(subs.datatypeFor('a/1/x'), 'buffer');
      assert.equal(subs.datatypeFor('b'), undefined);
    }
    await subs.add({ topic: 'a/+', options: DEFAULT_OPTIONS, datatype: 'base64' });
    assert.equal(subs.datatypeFor('a/1'), 'base64', 'a changed output type');
    await subs.remove('a/+');
    assert.equal(subs.datatypeFor('a/1'), 'buffer', 'a removed subscription');
    await subs.add({ topic: '$share/g/b', options: DEFAULT_OPTIONS, datatype: 'utf8' });
    assert.equal(subs.datatypeFor('b'), 'utf8', 'a shared subscription matches on its filter');
    await subs.close(false);
    assert.equal(subs.datatypeFor('a/1'), undefined, 'closed');
  });
});
