import type { Packet as PeerPacket } from 'mqtt-packet';
import type { Packet, ProtocolLevel } from '../src/protocol';
import { decodePacket, encodePacket, FrameDecoder } from '../src/protocol';
import { SubscriptionTrie, topicMatches } from '../src/topic';
import { checkConnect, checkPublish, checkSubscribe } from './checks';
import { connectPair, PAYLOAD, publishPair, subscribePair, TOPIC } from './fixtures';
import type { Batch } from './harness';
import { type PeerVersion, peerEncode, peerEncoder, peerParseAll, peerStreamDecoder } from './peer';
import { buildFilters, SUBSCRIPTION_COUNT, TRIE_TOPICS } from './trie-fixture';

/**
 * The benchmark cases. `setup` runs the correctness check and builds the two batch functions, so
 * nothing is timed before the packet has been shown to round-trip between the two codecs.
 */

export interface Sides {
  ours: Batch;
  peer: Batch;
  note?: string;
}

export interface BenchCase {
  name: string;
  unit: string;
  peerLabel: string;
  target?: number;
  /** Operations per call of a batch's inner loop (packets in a chunk). */
  opsPerCall: number;
  setup(): Sides;
}

/** A number that depends on the decoded packet, so the decode cannot be optimised away. */
function sinkOf(p: Packet): number {
  switch (p.type) {
    case 'publish':
      return p.payload.length + p.topic.length;
    case 'subscribe':
      return p.subscriptions.length;
    case 'connect':
      return p.clientId.length;
    default:
      return 1;
  }
}

function decodeSides(bytes: Buffer, level: ProtocolLevel & PeerVersion): Sides {
  const peerDecode = peerStreamDecoder(level, 1);
  return {
    ours: (n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += sinkOf(decodePacket(bytes, level));
      return acc;
    },
    peer: (n) => peerDecode(bytes, n),
  };
}

function encodeSides(ours: Packet, peer: PeerPacket, level: ProtocolLevel & PeerVersion): Sides {
  const generate = peerEncoder(level);
  return {
    ours: (n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += encodePacket(ours, level).length;
      return acc;
    },
    peer: (n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += generate(peer).length;
      return acc;
    },
  };
}

function identical(same: boolean): string {
  return `checked both ways; our encoding is ${same ? 'byte-identical to' : 'not byte-identical to (but parsed by)'} mqtt-packet's`;
}

function publishCases(level: 4 | 5, userProperties: number, targets: [number, number]): BenchCase[] {
  const label =
    level === 5
      ? `v5 PUBLISH QoS1 ${userProperties} user props`
      : `3.1.1 PUBLISH QoS1 ${TOPIC.length}-char topic`;
  const common = { unit: 'packets/s', peerLabel: 'mqtt-packet', opsPerCall: 1 };
  return [
    {
      ...common,
      name: `${label} decode`,
      target: targets[0],
      setup: () => {
        const pair = publishPair(level, userProperties);
        const note = identical(checkPublish(pair, level));
        return { ...decodeSides(peerEncode(pair.peer, level), level), note };
      },
    },
    {
      ...common,
      name: `${label} encode`,
      target: targets[1],
      setup: () => {
        const pair = publishPair(level, userProperties);
        checkPublish(pair, level);
        return encodeSides(pair.ours, pair.peer, level);
      },
    },
  ];
}

function packetCases(
  label: string,
  pair: () => { ours: Packet; peer: PeerPacket },
  check: () => boolean,
): BenchCase[] {
  const common = { unit: 'packets/s', peerLabel: 'mqtt-packet', opsPerCall: 1 };
  return [
    {
      ...common,
      name: `${label} decode`,
      setup: () => {
        const note = identical(check());
        return { ...decodeSides(peerEncode(pair().peer, 5), 5), note };
      },
    },
    {
      ...common,
      name: `${label} encode`,
      setup: () => {
        check();
        const p = pair();
        return encodeSides(p.ours, p.peer, 5);
      },
    },
  ];
}

const FRAME_PACKETS = 64;

function frameCase(): BenchCase {
  return {
    name: `v5 FrameDecoder.push, ${FRAME_PACKETS} PUBLISH/chunk`,
    unit: 'packets/s',
    peerLabel: 'mqtt-packet parser',
    opsPerCall: FRAME_PACKETS,
    setup: () => {
      const pair = publishPair(5, 2);
      checkPublish(pair, 5);
      const one = peerEncode(pair.peer, 5);
      const chunk = Buffer.concat(Array.from({ length: FRAME_PACKETS }, () => one));
      const decoder = new FrameDecoder({ protocolLevel: 5 });
      const decoded = decoder.push(chunk);
      const wrong = decoded.filter(
        (p) => p.type !== 'publish' || p.topic !== TOPIC || !p.payload.equals(PAYLOAD),
      );
      if (decoded.length !== FRAME_PACKETS || wrong.length > 0 || decoder.buffered !== 0) {
        throw new Error(`FrameDecoder returned ${decoded.length} packets (${wrong.length} wrong)`);
      }
      const peerCount = peerParseAll(chunk, 5).length;
      if (peerCount !== FRAME_PACKETS) throw new Error(`mqtt-packet parsed ${peerCount} packets`);
      const peerDecode = peerStreamDecoder(5, FRAME_PACKETS);
      return {
        ours: (n) => {
          let acc = 0;
          for (let i = 0; i < n; i++) {
            const packets = decoder.push(chunk);
            if (packets.length !== FRAME_PACKETS) throw new Error(`FrameDecoder returned ${packets.length}`);
            for (const p of packets) acc += sinkOf(p);
          }
          return acc;
        },
        peer: (n) => peerDecode(chunk, n),
      };
    },
  };
}

function naiveMatch(filters: readonly string[], topic: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < filters.length; i++) if (topicMatches(filters[i] ?? '', topic)) out.push(i);
  return out;
}

function trieCase(): BenchCase {
  return {
    name: `trie match, ${SUBSCRIPTION_COUNT.toLocaleString('en-US')} subs (vs naive loop*)`,
    unit: 'matches/s',
    peerLabel: 'naive topicMatches loop',
    opsPerCall: 1,
    setup: () => {
      const filters = buildFilters();
      const trie = new SubscriptionTrie<number>();
      for (const [i, filter] of filters.entries()) trie.add(filter, i);
      const sizes = TRIE_TOPICS.map((topic) => {
        const fromTrie = trie.match(topic).sort((a, b) => a - b);
        const fromLoop = naiveMatch(filters, topic);
        if (fromTrie.join() !== fromLoop.join()) {
          throw new Error(`trie and topicMatches disagree on ${topic}: [${fromTrie}] vs [${fromLoop}]`);
        }
        return fromLoop.length;
      });
      const topics = TRIE_TOPICS;
      return {
        note:
          `* no peer trie is a devDependency: the baseline is a linear topicMatches loop over all ` +
          `${filters.length.toLocaleString('en-US')} filters; ${topics.length} topics in turn, ` +
          `matching ${sizes.join('/')} filters`,
        ours: (n) => {
          let acc = 0;
          for (let i = 0; i < n; i++) acc += trie.match(topics[i % topics.length] ?? '').length;
          return acc;
        },
        peer: (n) => {
          let acc = 0;
          for (let i = 0; i < n; i++) {
            const topic = topics[i % topics.length] ?? '';
            for (const filter of filters) if (topicMatches(filter, topic)) acc++;
          }
          return acc;
        },
      };
    },
  };
}

export function allCases(): BenchCase[] {
  const subscribe = subscribePair();
  const connect = connectPair();
  return [
    ...publishCases(5, 2, [5, 4]),
    ...publishCases(5, 3, [5, 4]),
    ...publishCases(4, 0, [2, 1]),
    ...packetCases('v5 SUBSCRIBE 3 filters', subscribePair, () => checkSubscribe(subscribe)),
    ...packetCases('v5 CONNECT will+props+user/pass', connectPair, () => checkConnect(connect)),
    frameCase(),
    trieCase(),
  ];
}
