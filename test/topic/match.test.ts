import assert from 'node:assert/strict';
import { topicMatches } from '../../src/topic/match';
import { randomFilter, randomTopic, referenceMatches, seededRandom } from './random-topics';

function assertMatches(filter: string, topics: readonly string[]): void {
  for (const topic of topics)
    assert.equal(topicMatches(filter, topic), true, `${filter} should match ${topic}`);
}

function assertNoMatch(filter: string, topics: readonly string[]): void {
  for (const topic of topics)
    assert.equal(topicMatches(filter, topic), false, `${filter} should not match ${topic}`);
}

describe('topicMatches', () => {
  it('matches a filter without wildcards only against the identical topic', () => {
    assertMatches('sport/tennis', ['sport/tennis']);
    assertNoMatch('sport/tennis', [
      'sport',
      'sport/tennis/',
      'Sport/tennis',
      'sport/tennis/x',
      'sport/tenni',
      'sport',
    ]);
  });

  it('# matches everything that does not start with $', () => {
    assertMatches('#', ['a', '/', 'a/b/c', '/finance', 'a//b', 'x/']);
    assertNoMatch('#', ['$SYS', '$SYS/monitor/Clients', '$']);
  });

  it('# matches the parent level and every level below it', () => {
    const topics = [
      'sport/tennis/player1',
      'sport/tennis/player1/ranking',
      'sport/tennis/player1/score/wimbledon',
    ];
    assertMatches('sport/tennis/player1/#', topics);
    assertMatches('sport/#', ['sport', 'sport/', 'sport/tennis']);
    assertNoMatch('sport/#', ['sports', 'spor', 'other/sport']);
  });

  it('+ matches exactly one level', () => {
    assertMatches('sport/tennis/+', ['sport/tennis/player1', 'sport/tennis/player2', 'sport/tennis/']);
    assertNoMatch('sport/tennis/+', ['sport/tennis/player1/ranking', 'sport/tennis']);
    assertMatches('sport/+', ['sport/']);
    assertNoMatch('sport/+', ['sport']);
    assertMatches('+', ['a', 'finance']);
  });

  it('+ matches empty levels, including those made by leading slashes', () => {
    assertMatches('+/+', ['/finance', '/', 'a/']);
    assertMatches('/+', ['/finance', '/']);
    assertNoMatch('+', ['/finance', '/']);
    assertMatches('a/+/b', ['a//b', 'a/x/b']);
    assertMatches('+/+/+', ['//']);
  });

  it('treats empty levels as significant', () => {
    assertMatches('a//b', ['a//b']);
    assertNoMatch('a//b', ['a/b', 'a///b']);
    assertNoMatch('a/b', ['a//b', '/a/b', 'a/b/']);
    assertMatches('/', ['/']);
    assertNoMatch('/', ['//', 'a']);
  });

  it('matches leading and trailing slashes literally', () => {
    assertMatches('/finance', ['/finance']);
    assertNoMatch('/finance', ['finance']);
    assertMatches('a/', ['a/']);
    assertNoMatch('a/', ['a', 'a//']);
    assertMatches('/#', ['/', '/a', '/a/b']);
    assertNoMatch('/#', ['a', 'a/b']);
  });

  it('combines + and #', () => {
    assertMatches('+/tennis/#', ['sport/tennis', 'sport/tennis/player1', '/tennis']);
    assertNoMatch('+/tennis/#', ['sport/golf', 'tennis']);
    assertMatches('+/#', ['a', 'a/b', '/']);
    assertNoMatch('a/+/#', ['a']);
    assertMatches('a/+/#', ['a/', 'a/b', 'a/b/c']);
  });

  it('does not match filters starting with a wildcard against topics starting with $', () => {
    assertNoMatch('+/monitor/Clients', ['$SYS/monitor/Clients']);
    assertNoMatch('#', ['$SYS/monitor/Clients']);
    assertNoMatch('+', ['$SYS', '$']);
    assertNoMatch('+/#', ['$SYS/x']);
    assertMatches('+/monitor/Clients', ['SYS/monitor/Clients']);
  });

  it('matches filters naming the $ level explicitly', () => {
    assertMatches('$SYS/#', ['$SYS/monitor/Clients', '$SYS']);
    assertMatches('$SYS/monitor/+', ['$SYS/monitor/Clients']);
    assertMatches('$SYS/+/Clients', ['$SYS/monitor/Clients']);
    assertNoMatch('$SYS/#', ['SYS/monitor', '$SYSTEM/x']);
    assertMatches('a/$b/+', ['a/$b/c']);
    assertMatches('a/+', ['a/$b']); // only the first level is special
  });

  it('compares misplaced wildcard characters literally', () => {
    assertMatches('a+', ['a+']);
    assertNoMatch('a+', ['ab']);
    assertMatches('#/a', ['#/a']);
    assertNoMatch('#/a', ['x/a']);
  });

  it('agrees with a split-based reference on thousands of random pairs', () => {
    const random = seededRandom(0x5eed);
    let matches = 0;
    for (let i = 0; i < 20000; i++) {
      const filter = randomFilter(random);
      const topic = randomTopic(random);
      const expected = referenceMatches(filter, topic);
      assert.equal(topicMatches(filter, topic), expected, `${filter} vs ${topic}`);
      if (expected) matches++;
    }
    assert.ok(matches > 1000, `the generator should produce plenty of matches, got ${matches}`);
  });

  it('handles a topic of 65535 empty levels without recursion', () => {
    const topic = '/'.repeat(65534);
    assert.equal(topicMatches('#', topic), true);
    assert.equal(topicMatches(`${'/'.repeat(65532)}+/#`, topic), true);
    assert.equal(topicMatches(`${'+/'.repeat(32766)}+`, '/'.repeat(32766)), true);
    assert.equal(topicMatches('+/+', topic), false);
  });
});
