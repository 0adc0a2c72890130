import fc from 'fast-check';
import { reasonCodesFor } from '../../src/protocol/reason-codes';
import type {
  AckProperties,
  AuthPacket,
  AuthProperties,
  ConnackPacket,
  ConnackProperties,
  ConnectPacket,
  ConnectProperties,
  DisconnectPacket,
  DisconnectProperties,
  Packet,
  PacketTypeName,
  ProtocolLevel,
  PubackPacket,
  PubcompPacket,
  PublishPacket,
  PublishProperties,
  PubrecPacket,
  PubrelPacket,
  QoS,
  SubackPacket,
  SubscribePacket,
  SubscribeProperties,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
  UnsubscribeProperties,
  UserProperty,
  Will,
  WillProperties,
} from '../../src/protocol/types';
import { assertNever } from '../../src/protocol/types';

/**
 * fast-check arbitraries for random VALID packets of every type at every protocol level where the
 * type exists, in the shape our decoder returns: fields that a level does not carry hold their
 * defaults (reason code 0, no properties), property lists are never empty objects, and optional keys
 * are absent rather than undefined. So `decode(encode(p))` must deep-equal `p`.
 */

export const LEVELS: readonly ProtocolLevel[] = [3, 4, 5];

const ALL_TYPES: readonly PacketTypeName[] = [
  'connect',
  'connack',
  'publish',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'suback',
  'unsubscribe',
  'unsuback',
  'pingreq',
  'pingresp',
  'disconnect',
  'auth',
];

/** The packet types that exist at `level`: AUTH is 5.0 only. */
export function packetTypesAt(level: ProtocolLevel): PacketTypeName[] {
  return ALL_TYPES.filter((t) => t !== 'auth' || level === 5);
}

// ---------------------------------------------------------------------------------------------
// Scalars

/** Any valid MQTT UTF-8 string (spec 1.5.4): ASCII, BMP and astral code points, never U+0000. */
export function utf8String(maxLength = 12): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('', '\ufeff', '\ufeffbom', '\u{1f600}', '\uffff', 'caf\u00e9'),
      },
    )
    .map((s) => s.replaceAll('\u0000', ''));
}

const topicLevel: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('a', 'b', 'sensor', 'temp', '', '$SYS', '\u00e9t\u00e9', '\u{1f600}'),
  },
  { weight: 1, arbitrary: utf8String(6).map((s) => s.replace(/[/+#]/g, '')) },
);

/** A valid Topic Name: at least one character, no wildcards [MQTT-4.7.1-1], [MQTT-4.7.3-1]. */
export const topicName: fc.Arbitrary<string> = fc
  .array(topicLevel, { minLength: 1, maxLength: 4 })
  .map((levels) => levels.join('/'))
  .map((t) => (t === '' ? 'a' : t));

const filterLevel: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('+') },
  { weight: 3, arbitrary: topicLevel },
);

/** A plain (unshared) Topic Filter with wildcards on whole levels (spec 4.7.1). */
export const plainTopicFilter: fc.Arbitrary<string> = fc
  .tuple(fc.array(filterLevel, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
  .map((f) => (f === '' ? '#' : f));

/** A shared subscription `$share/<group>/<filter>` (spec 4.8.2). */
export const sharedTopicFilter: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('g', 'group1', '\u00e9quipe'), plainTopicFilter)
  .map(([group, filter]) => `$share/${group}/${filter}`);

export const topicFilter: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: plainTopicFilter },
  { weight: 1, arbitrary: sharedTopicFilter },
);

export const bytes = (maxLength = 24): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

export const qos: fc.Arbitrary<QoS> = fc.constantFrom<QoS>(0, 1, 2);
export const packetId: fc.Arbitrary<number> = fc.integer({ min: 1, max: 0xffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u16NonZero = fc.integer({ min: 1, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u32NonZero = fc.integer({ min: 1, max: 0xffffffff });
const subscriptionId = fc.integer({ min: 1, max: 268435455 });

// ---------------------------------------------------------------------------------------------
// Properties

/**
 * User properties: names drawn partly from a tiny set so duplicate names are common, kept in order
 * with duplicates (spec 3.1.2.11.8: the same name may appear more than once).
 */
export const userProperties: fc.Arbitrary<UserProperty[]> = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom('k', 'key', '', 'n\u00e9'), utf8String(8)),
    fc.oneof(fc.constantFrom('v', '', 'x'), utf8String(8)),
  ),
  { minLength: 1, maxLength: 5 },
);

/**
 * A property list: each field present or absent (never `undefined`), on a plain-prototype object,
 * and no object at all when every field is absent (the decoder returns none for an empty list).
 */
function props<T extends object>(record: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return record.map((p) => (Object.keys(p).length === 0 ? undefined : p));
}

/** Record options for property lists: every key optional, plain prototype (deep-equal checks it). */
const OPTIONAL: { requiredKeys: never[]; noNullPrototype: true } = {
  requiredKeys: [],
  noNullPrototype: true,
};

export const connectProperties = props<ConnectProperties>(
  fc.record(
    {
      sessionExpiryInterval: u32,
      receiveMaximum: u16NonZero,
      maximumPacketSize: u32NonZero,
      topicAliasMaximum: u16,
      requestResponseInformation: fc.boolean(),
      requestProblemInformation: fc.boolean(),
      userProperties,
      authenticationMethod: utf8String(),
      authenticationData: bytes(),
    },
    OPTIONAL,
  ),
).map((p) => {
  // Spec 3.1.2.11.10: Authentication Data without an Authentication Method is a Protocol Error.
  if (p?.authenticationData !== undefined && p.authenticationMethod === undefined) {
    return { ...p, authenticationMethod: 'SCRAM-SHA-1' };
  }
  return p;
});

export const willProperties = props<WillProperties>(
  fc.record(
    {
      willDelayInterval: u32,
      payloadFormatIndicator: fc.boolean(),
      messageExpiryInterval: u32,
      contentType: utf8String(),
      responseTopic: topicName,
      correlationData: bytes(),
      userProperties,
    },
    OPTIONAL,
  ),
);

export const connackProperties = props<ConnackProperties>(
  fc.record(
    {
      sessionExpiryInterval: u32,
      receiveMaximum: u16NonZero,
      maximumQoS: fc.constantFrom<0 | 1>(0, 1),
      retainAvailable: fc.boolean(),
      maximumPacketSize: u32NonZero,
      assignedClientIdentifier: utf8String(),
      topicAliasMaximum: u16,
      reasonString: utf8String(),
      userProperties,
      wildcardSubscriptionAvailable: fc.boolean(),
      subscriptionIdentifiersAvailable: fc.boolean(),
      sharedSubscriptionAvailable: fc.boolean(),
      serverKeepAlive: u16,
      responseInformation: utf8String(),
      serverReference: utf8String(),
      authenticationMethod: utf8String(),
      authenticationData: bytes(),
    },
    OPTIONAL,
  ),
);

export const publishProperties = props<PublishProperties>(
  fc.record(
    {
      payloadFormatIndicator: fc.boolean(),
      messageExpiryInterval: u32,
      topicAlias: u16NonZero,
      responseTopic: topicName,
      correlationData: bytes(),
      userProperties,
      subscriptionIdentifiers: fc.array(subscriptionId, { minLength: 1, maxLength: 3 }),
      contentType: utf8String(),
    },
    OPTIONAL,
  ),
);

export const ackProperties = props<AckProperties>(
  fc.record({ reasonString: utf8String(), userProperties }, OPTIONAL),
);

export const subscribeProperties = props<SubscribeProperties>(
  fc.record(
    {
      subscriptionIdentifier: subscriptionId,
      userProperties,
    },
    OPTIONAL,
  ),
);

export const unsubscribeProperties = props<UnsubscribeProperties>(fc.record({ userProperties }, OPTIONAL));

export const disconnectProperties = props<DisconnectProperties>(
  fc.record(
    {
      sessionExpiryInterval: u32,
      reasonString: utf8String(),
      userProperties,
      serverReference: utf8String(),
    },
    OPTIONAL,
  ),
);

export const authProperties = props<AuthProperties>(
  fc.record(
    {
      authenticationMethod: utf8String(),
      authenticationData: bytes(),
      reasonString: utf8String(),
      userProperties,
    },
    OPTIONAL,
  ),
);

/** `fc.record` on a plain prototype: deep-equality checks compare prototypes too. */
function plainRecord<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

/** `base` with `properties` set, or `base` itself when there are none (the key stays absent). */
function withProperties<T extends object, P>(base: T, properties: P | undefined): T & { properties?: P } {
  return properties === undefined ? base : { ...base, properties };
}

/** Properties only at level 5; levels 3 and 4 have none. */
function v5<P>(level: ProtocolLevel, arb: fc.Arbitrary<P | undefined>): fc.Arbitrary<P | undefined> {
  return level === 5 ? fc.option(arb, { nil: undefined, freq: 5 }) : fc.constant(undefined);
}

// ---------------------------------------------------------------------------------------------
// Packets

const will = (level: ProtocolLevel): fc.Arbitrary<Will> =>
  plainRecord({
    topic: topicName,
    payload: bytes(),
    qos,
    retain: fc.boolean(),
    properties: v5(level, willProperties),
  }).map(({ properties, ...rest }) => withProperties(rest, properties));

export function connect(level: ProtocolLevel): fc.Arbitrary<ConnectPacket> {
  return plainRecord({
    clientId: utf8String(23),
    cleanStart: fc.boolean(),
    keepAlive: u16,
    username: fc.option(utf8String(), { nil: undefined }),
    password: fc.option(bytes(), { nil: undefined }),
    will: fc.option(will(level), { nil: undefined }),
    properties: v5(level, connectProperties),
  }).map(({ clientId, cleanStart, keepAlive, username, password, will, properties }) => {
    const packet: ConnectPacket = {
      type: 'connect',
      protocolName: level === 3 ? 'MQIsdp' : 'MQTT',
      protocolLevel: level,
      clientId,
      cleanStart,
      keepAlive,
    };
    // A password without a user name exists only in 5.0 (3.1.1 [MQTT-3.1.2-22]; 5.0 spec 3.1.2.9).
    const user = username ?? (password !== undefined && level !== 5 ? 'user' : undefined);
    if (user !== undefined) packet.username = user;
    if (password !== undefined) packet.password = password;
    if (will !== undefined) packet.will = will;
    return withProperties(packet, properties);
  });
}

export function connack(level: ProtocolLevel): fc.Arbitrary<ConnackPacket> {
  // At 3.1.x the code is the return code 0..5; in 5.0 one of the CONNACK reason codes.
  const code = level === 5 ? fc.constantFrom(...reasonCodesFor('connack')) : fc.integer({ min: 0, max: 5 });
  return plainRecord({
    sessionPresent: fc.boolean(),
    reasonCode: code,
    properties: v5(level, connackProperties),
  }).map(({ sessionPresent, reasonCode, properties }) =>
    withProperties<ConnackPacket, ConnackProperties>(
      {
        type: 'connack',
        // [MQTT-3.2.2-6] a refusal has Session Present 0; 3.1 has no Session Present flag at all.
        sessionPresent: sessionPresent && reasonCode === 0 && level !== 3,
        reasonCode,
      },
      properties,
    ),
  );
}

export function publish(level: ProtocolLevel): fc.Arbitrary<PublishPacket> {
  return plainRecord({
    topic: topicName,
    emptyTopic: fc.boolean(),
    payload: fc.oneof(bytes(64), fc.constant(Buffer.alloc(0))),
    qos,
    retain: fc.boolean(),
    dup: fc.boolean(),
    packetId,
    properties: v5(level, publishProperties),
  }).map(({ topic, emptyTopic, payload, qos, retain, dup, packetId, properties }) => {
    // In 5.0 a Topic Alias may stand for the topic, which is then empty (spec 3.3.2.3.4).
    const aliased = level === 5 && emptyTopic && properties?.topicAlias !== undefined;
    const packet: PublishPacket = {
      type: 'publish',
      topic: aliased ? '' : topic,
      payload,
      qos,
      retain,
      // [MQTT-3.3.1-2] DUP is 0 at QoS 0.
      dup: dup && qos > 0,
    };
    if (qos > 0) packet.packetId = packetId;
    return withProperties(packet, properties);
  });
}

export type AckPacket = PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket;

export function ack(type: AckPacket['type'], level: ProtocolLevel): fc.Arbitrary<AckPacket> {
  const code = level === 5 ? fc.constantFrom(...reasonCodesFor(type)) : fc.constant(0);
  return plainRecord({ packetId, reasonCode: code, properties: v5(level, ackProperties) }).map(
    ({ packetId, reasonCode, properties }): AckPacket =>
      withProperties({ type, packetId, reasonCode }, properties),
  );
}

const subscription = (level: ProtocolLevel): fc.Arbitrary<Subscription> =>
  plainRecord({
    topicFilter,
    qos,
    noLocal: fc.boolean(),
    retainAsPublished: fc.boolean(),
    retainHandling: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
  }).map((s) => {
    // 3.1.x has only the QoS bits.
    if (level !== 5) return { ...s, noLocal: false, retainAsPublished: false, retainHandling: 0 };
    // [MQTT-3.8.3-4] No Local is a Protocol Error on a shared subscription.
    return s.topicFilter.startsWith('$share/') ? { ...s, noLocal: false } : s;
  });

export function subscribe(level: ProtocolLevel): fc.Arbitrary<SubscribePacket> {
  return plainRecord({
    packetId,
    subscriptions: fc.array(subscription(level), { minLength: 1, maxLength: 4 }),
    properties: v5(level, subscribeProperties),
  }).map(({ packetId, subscriptions, properties }) =>
    withProperties<SubscribePacket, SubscribeProperties>(
      { type: 'subscribe', packetId, subscriptions },
      properties,
    ),
  );
}

export function suback(level: ProtocolLevel): fc.Arbitrary<SubackPacket> {
  // 3.1.1 [MQTT-3.9.3-2]: 0x00, 0x01, 0x02 or 0x80; 5.0: the Subscribe Reason Codes.
  const code = level === 5 ? fc.constantFrom(...reasonCodesFor('suback')) : fc.constantFrom(0, 1, 2, 0x80);
  return plainRecord({
    packetId,
    reasonCodes: fc.array(code, { minLength: 1, maxLength: 4 }),
    properties: v5(level, ackProperties),
  }).map(({ packetId, reasonCodes, properties }) =>
    withProperties<SubackPacket, AckProperties>({ type: 'suback', packetId, reasonCodes }, properties),
  );
}

export function unsubscribe(level: ProtocolLevel): fc.Arbitrary<UnsubscribePacket> {
  return plainRecord({
    packetId,
    topicFilters: fc.array(topicFilter, { minLength: 1, maxLength: 4 }),
    properties: v5(level, unsubscribeProperties),
  }).map(({ packetId, topicFilters, properties }) =>
    withProperties<UnsubscribePacket, UnsubscribeProperties>(
      { type: 'unsubscribe', packetId, topicFilters },
      properties,
    ),
  );
}

export function unsuback(level: ProtocolLevel): fc.Arbitrary<UnsubackPacket> {
  // 3.1.x UNSUBACK is a packet identifier alone.
  const codes =
    level === 5
      ? fc.array(fc.constantFrom(...reasonCodesFor('unsuback')), { minLength: 1, maxLength: 4 })
      : fc.constant<number[]>([]);
  return plainRecord({ packetId, reasonCodes: codes, properties: v5(level, ackProperties) }).map(
    ({ packetId, reasonCodes, properties }) =>
      withProperties<UnsubackPacket, AckProperties>({ type: 'unsuback', packetId, reasonCodes }, properties),
  );
}

export function disconnect(level: ProtocolLevel): fc.Arbitrary<DisconnectPacket> {
  const code = level === 5 ? fc.constantFrom(...reasonCodesFor('disconnect')) : fc.constant(0);
  return plainRecord({ reasonCode: code, properties: v5(level, disconnectProperties) }).map(
    ({ reasonCode, properties }) =>
      withProperties<DisconnectPacket, DisconnectProperties>({ type: 'disconnect', reasonCode }, properties),
  );
}

export function auth(): fc.Arbitrary<AuthPacket> {
  return plainRecord({
    reasonCode: fc.constantFrom(...reasonCodesFor('auth')),
    properties: authProperties,
  }).map(({ reasonCode, properties }) =>
    withProperties<AuthPacket, AuthProperties>({ type: 'auth', reasonCode }, properties),
  );
}

/** Random valid packets of one type at one level. AUTH exists only at level 5. */
export function packetOf(type: PacketTypeName, level: ProtocolLevel): fc.Arbitrary<Packet> {
  switch (type) {
    case 'connect':
      return connect(level);
    case 'connack':
      return connack(level);
    case 'publish':
      return publish(level);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return ack(type, level);
    case 'subscribe':
      return subscribe(level);
    case 'suback':
      return suback(level);
    case 'unsubscribe':
      return unsubscribe(level);
    case 'unsuback':
      return unsuback(level);
    case 'pingreq':
      return fc.constant({ type: 'pingreq' });
    case 'pingresp':
      return fc.constant({ type: 'pingresp' });
    case 'disconnect':
      return disconnect(level);
    case 'auth':
      if (level !== 5) throw new Error('AUTH exists only at level 5');
      return auth();
    default:
      return assertNever(type);
  }
}

/** Random valid packets of any type that exists at `level`. */
export function anyPacket(level: ProtocolLevel): fc.Arbitrary<Packet> {
  return fc.oneof(...packetTypesAt(level).map((t) => packetOf(t, level)));
}
