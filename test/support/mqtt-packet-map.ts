import {
  generate,
  type IConnectPacket,
  type IPublishPacket,
  type Packet as MqttPacket,
  type UserProperties as MqttUserProperties,
  parser,
} from 'mqtt-packet';
import type {
  AckProperties,
  AnyProperties,
  ConnectPacket,
  Packet,
  ProtocolLevel,
  PublishPacket,
  QoS,
  RetainHandling,
  Subscription,
  UserProperty,
  Will,
} from '../../src/protocol/types';
import { assertNever } from '../../src/protocol/types';

/**
 * A mapping between our packet objects and those of `mqtt-packet` (9.x), the independent oracle.
 *
 * Where the two models differ:
 * - mqtt-packet keeps user properties as an object `{ name: value | value[] }`, which loses the
 *   order between different names (spec 3.3.2.3.7, [MQTT-3.3.2-18]: the order must be kept). Both
 *   directions therefore compare against `groupUserProperties`, the order such an object gives.
 * - PUBLISH's Subscription Identifiers are one number or an array there, always an array here.
 * - CONNACK carries `returnCode` at 3.1.x and `reasonCode` in 5.0 there, `reasonCode` always here.
 *
 * Its parser returns untyped objects, so `fromMqttPacket` checks every field it reads.
 */

// ---------------------------------------------------------------------------------------------
// Running mqtt-packet

/** Parses exactly one packet with mqtt-packet's parser at `level`; throws its error if it fails. */
export function parseWithMqttPacket(buf: Buffer, level: ProtocolLevel): unknown {
  const p = parser({ protocolVersion: level });
  const packets: unknown[] = [];
  const errors: unknown[] = [];
  p.on('packet', (packet) => packets.push(packet));
  p.on('error', (err: unknown) => errors.push(err));
  const left = p.parse(buf);
  if (errors.length > 0) {
    const err = errors[0];
    throw err instanceof Error ? err : new Error(String(err));
  }
  if (packets.length !== 1 || left !== 0) {
    throw new Error(`mqtt-packet parsed ${packets.length} packets and left ${left} bytes`);
  }
  return packets[0];
}

/** Encodes with mqtt-packet's writer at `level`; it throws on input it refuses. */
export function generateWithMqttPacket(packet: MqttPacket, level: ProtocolLevel): Buffer {
  return generate(packet, { protocolVersion: level });
}

// ---------------------------------------------------------------------------------------------
// User property order

/**
 * `list` in the order a JS object keyed by name yields it, which is how mqtt-packet both parses
 * (`Object.create(null)`, values of a repeated name collected into an array) and writes
 * (`Object.getOwnPropertyNames`) user properties: grouped by name, names in first-seen order except
 * that integer-like names come first in ascending order; the values of one name keep their order.
 */
export function groupUserProperties(list: readonly UserProperty[]): UserProperty[] {
  const grouped: Record<string, string[]> = Object.create(null);
  for (const [name, value] of list) {
    const values = grouped[name];
    if (values === undefined) grouped[name] = [value];
    else values.push(value);
  }
  return Object.getOwnPropertyNames(grouped).flatMap((name) =>
    (grouped[name] ?? []).map((value): UserProperty => [name, value]),
  );
}

type UserPropertyMap = (list: UserProperty[]) => UserProperty[];

function mapList<P extends { userProperties?: UserProperty[] }>(props: P, f: UserPropertyMap): P {
  return props.userProperties === undefined ? props : { ...props, userProperties: f(props.userProperties) };
}

function mapIn<T extends { properties?: { userProperties?: UserProperty[] } }>(p: T, f: UserPropertyMap): T {
  return p.properties === undefined ? p : { ...p, properties: mapList(p.properties, f) };
}

/** `p` with `f` applied to every user property list in it (the packet's and the will's). */
export function mapUserProperties(p: Packet, f: UserPropertyMap): Packet {
  switch (p.type) {
    case 'connect': {
      const out = mapIn(p, f);
      return out.will === undefined ? out : { ...out, will: mapIn(out.will, f) };
    }
    case 'connack':
    case 'publish':
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'subscribe':
    case 'suback':
    case 'unsubscribe':
    case 'unsuback':
    case 'disconnect':
    case 'auth':
      return mapIn<typeof p>(p, f);
    case 'pingreq':
    case 'pingresp':
      return p;
    default:
      return assertNever(p);
  }
}

// ---------------------------------------------------------------------------------------------
// Ours → mqtt-packet

function userPropertiesObject(list: readonly UserProperty[]): MqttUserProperties {
  const out: MqttUserProperties = Object.create(null);
  for (const [name, value] of list) {
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

/** Our property object with mqtt-packet's user property object in place of the list. */
function toMqttProperties<P extends { userProperties?: UserProperty[] }>(
  props: P | undefined,
): (Omit<P, 'userProperties'> & { userProperties?: MqttUserProperties }) | undefined {
  if (props === undefined) return undefined;
  const { userProperties, ...rest } = props;
  return userProperties === undefined
    ? rest
    : { ...rest, userProperties: userPropertiesObject(userProperties) };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  const out: { [k in K]?: V } = {};
  if (value !== undefined) out[key] = value;
  return out;
}

function toMqttWill(will: Will): NonNullable<IConnectPacket['will']> {
  return {
    topic: will.topic,
    payload: will.payload,
    qos: will.qos,
    retain: will.retain,
    ...optional('properties', toMqttProperties(will.properties)),
  };
}

function toMqttConnect(p: ConnectPacket): IConnectPacket {
  return {
    cmd: 'connect',
    protocolId: p.protocolName,
    protocolVersion: p.protocolLevel,
    clean: p.cleanStart,
    keepalive: p.keepAlive,
    clientId: p.clientId,
    ...optional('username', p.username),
    ...optional('password', p.password),
    ...optional('will', p.will === undefined ? undefined : toMqttWill(p.will)),
    ...optional('properties', toMqttProperties(p.properties)),
  };
}

function toMqttPublish(p: PublishPacket): MqttPacket {
  const props = toMqttProperties(p.properties);
  let properties: IPublishPacket['properties'];
  if (props !== undefined) {
    const { subscriptionIdentifiers, ...rest } = props;
    properties =
      subscriptionIdentifiers === undefined
        ? rest
        : { ...rest, subscriptionIdentifier: subscriptionIdentifiers };
  }
  return {
    cmd: 'publish',
    topic: p.topic,
    payload: p.payload,
    qos: p.qos,
    dup: p.dup,
    retain: p.retain,
    ...optional('messageId', p.packetId),
    ...optional('properties', properties),
  };
}

/** The mqtt-packet object for `p` at `level`, for `generateWithMqttPacket`. */
export function toMqttPacket(p: Packet, level: ProtocolLevel): MqttPacket {
  switch (p.type) {
    case 'connect':
      return toMqttConnect(p);
    case 'connack':
      return {
        cmd: 'connack',
        sessionPresent: p.sessionPresent,
        ...(level === 5 ? { reasonCode: p.reasonCode } : { returnCode: p.reasonCode }),
        ...optional('properties', toMqttProperties(p.properties)),
      };
    case 'publish':
      return toMqttPublish(p);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return {
        cmd: p.type,
        messageId: p.packetId,
        reasonCode: p.reasonCode,
        ...optional('properties', toMqttProperties<AckProperties>(p.properties)),
      };
    case 'subscribe':
      return {
        cmd: 'subscribe',
        messageId: p.packetId,
        subscriptions: p.subscriptions.map((s) => ({
          topic: s.topicFilter,
          qos: s.qos,
          nl: s.noLocal,
          rap: s.retainAsPublished,
          rh: s.retainHandling,
        })),
        ...optional('properties', toMqttProperties(p.properties)),
      };
    case 'suback':
      return {
        cmd: 'suback',
        messageId: p.packetId,
        granted: p.reasonCodes,
        ...optional('properties', toMqttProperties(p.properties)),
      };
    case 'unsubscribe':
      return {
        cmd: 'unsubscribe',
        messageId: p.packetId,
        unsubscriptions: p.topicFilters,
        ...optional('properties', toMqttProperties(p.properties)),
      };
    case 'unsuback':
      return {
        cmd: 'unsuback',
        messageId: p.packetId,
        granted: p.reasonCodes,
        ...optional('properties', toMqttProperties(p.properties)),
      };
    case 'pingreq':
    case 'pingresp':
      return { cmd: p.type };
    case 'disconnect':
      return {
        cmd: 'disconnect',
        reasonCode: p.reasonCode,
        ...optional('properties', toMqttProperties(p.properties)),
      };
    case 'auth':
      return {
        cmd: 'auth',
        reasonCode: p.reasonCode,
        ...optional('properties', toMqttProperties(p.properties)),
      };
    default:
      return assertNever(p);
  }
}

// ---------------------------------------------------------------------------------------------
// mqtt-packet → ours (validated)

type Fields = Readonly<Record<string, unknown>>;

function fail(what: string, value: unknown): never {
  throw new TypeError(`mqtt-packet output: ${what} is ${typeof value} ${String(value)}`);
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function fields(value: unknown, what: string): Fields {
  return isFields(value) ? value : fail(what, value);
}

function num(o: Fields, key: string): number {
  const v = o[key];
  return typeof v === 'number' && Number.isInteger(v) ? v : fail(key, v);
}

function str(o: Fields, key: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : fail(key, v);
}

function bool(o: Fields, key: string): boolean {
  const v = o[key];
  return typeof v === 'boolean' ? v : fail(key, v);
}

function buf(o: Fields, key: string): Buffer {
  const v = o[key];
  return Buffer.isBuffer(v) ? v : fail(key, v);
}

function qosOf(v: number, what: string): QoS {
  return v === 0 || v === 1 || v === 2 ? v : fail(what, v);
}

function retainHandlingOf(v: number): RetainHandling {
  return v === 0 || v === 1 || v === 2 ? v : fail('rh', v);
}

function numbers(v: unknown, what: string): number[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((n: unknown) => (typeof n === 'number' && Number.isInteger(n) ? n : fail(what, n)));
}

function userPropertyList(v: unknown): UserProperty[] {
  const o = fields(v, 'userProperties');
  const out: UserProperty[] = [];
  for (const name of Object.getOwnPropertyNames(o)) {
    const values = o[name];
    for (const value of Array.isArray(values) ? values : [values]) {
      out.push([name, typeof value === 'string' ? value : fail(`userProperties.${name}`, value)]);
    }
  }
  return out;
}

/** Where a property list was read: PUBLISH keeps Subscription Identifiers as a list. */
type Context = 'publish' | 'other';

/**
 * Our property object from mqtt-packet's, field by field: an unknown name fails the test rather
 * than vanishing. A property mqtt-packet read twice comes as an array, which a scalar check rejects.
 */
function fromMqttProperties(raw: unknown, context: Context): AnyProperties | undefined {
  if (raw === undefined) return undefined;
  const o = fields(raw, 'properties');
  const p: AnyProperties = {};
  for (const key of Object.keys(o)) {
    switch (key) {
      case 'payloadFormatIndicator':
      case 'requestProblemInformation':
      case 'requestResponseInformation':
      case 'retainAvailable':
      case 'wildcardSubscriptionAvailable':
      case 'subscriptionIdentifiersAvailable':
      case 'sharedSubscriptionAvailable':
        p[key] = bool(o, key);
        break;
      case 'messageExpiryInterval':
      case 'sessionExpiryInterval':
      case 'willDelayInterval':
      case 'maximumPacketSize':
      case 'receiveMaximum':
      case 'topicAliasMaximum':
      case 'topicAlias':
      case 'serverKeepAlive':
        p[key] = num(o, key);
        break;
      case 'maximumQoS': {
        const v = num(o, key);
        p.maximumQoS = v === 0 || v === 1 ? v : fail(key, v);
        break;
      }
      case 'contentType':
      case 'responseTopic':
      case 'assignedClientIdentifier':
      case 'authenticationMethod':
      case 'responseInformation':
      case 'serverReference':
      case 'reasonString':
        p[key] = str(o, key);
        break;
      case 'correlationData':
      case 'authenticationData':
        p[key] = buf(o, key);
        break;
      case 'userProperties':
        p.userProperties = userPropertyList(o[key]);
        break;
      case 'subscriptionIdentifier':
        if (context === 'publish') p.subscriptionIdentifiers = numbers(o[key], key);
        else p.subscriptionIdentifier = num(o, key);
        break;
      default:
        fail(`unknown property ${key}`, o[key]);
    }
  }
  return p;
}

function withProps<T extends object>(
  base: T,
  props: AnyProperties | undefined,
): T & { properties?: AnyProperties } {
  return props === undefined ? base : { ...base, properties: props };
}

function fromMqttWill(raw: unknown): Will {
  const w = fields(raw, 'will');
  return withProps(
    {
      topic: str(w, 'topic'),
      payload: buf(w, 'payload'),
      qos: qosOf(num(w, 'qos'), 'will.qos'),
      retain: bool(w, 'retain'),
    },
    fromMqttProperties(w['properties'], 'other'),
  );
}

function fromMqttConnect(o: Fields): ConnectPacket {
  const name = str(o, 'protocolId');
  const level = num(o, 'protocolVersion');
  const packet: ConnectPacket = {
    type: 'connect',
    protocolName: name === 'MQTT' || name === 'MQIsdp' ? name : fail('protocolId', name),
    protocolLevel: level === 3 || level === 4 || level === 5 ? level : fail('protocolVersion', level),
    clientId: str(o, 'clientId'),
    cleanStart: bool(o, 'clean'),
    keepAlive: num(o, 'keepalive'),
  };
  if (o['username'] !== undefined) packet.username = str(o, 'username');
  if (o['password'] !== undefined) packet.password = buf(o, 'password');
  if (o['will'] !== undefined) packet.will = fromMqttWill(o['will']);
  return withProps(packet, fromMqttProperties(o['properties'], 'other'));
}

function fromMqttSubscription(raw: unknown, level: ProtocolLevel): Subscription {
  const s = fields(raw, 'subscription');
  const base = { topicFilter: str(s, 'topic'), qos: qosOf(num(s, 'qos'), 'subscription qos') };
  // 3.1.x subscriptions have no options beyond the QoS.
  if (level !== 5) return { ...base, noLocal: false, retainAsPublished: false, retainHandling: 0 };
  return {
    ...base,
    noLocal: bool(s, 'nl'),
    retainAsPublished: bool(s, 'rap'),
    retainHandling: retainHandlingOf(num(s, 'rh')),
  };
}

function list(o: Fields, key: string): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : fail(key, v);
}

function codes(o: Fields, key: string): number[] {
  return list(o, key).map((c: unknown) => (typeof c === 'number' ? c : fail(key, c)));
}

/** Our packet for what mqtt-packet's parser produced at `level`, checking each field on the way. */
export function fromMqttPacket(raw: unknown, level: ProtocolLevel): Packet {
  const o = fields(raw, 'packet');
  const cmd = str(o, 'cmd');
  const props = (context: Context = 'other') => fromMqttProperties(o['properties'], context);
  // mqtt-packet leaves out the 5.0 reason code where the packet has none (3.1.x): ours is 0 then.
  const reasonCode = () => (level === 5 && o['reasonCode'] !== undefined ? num(o, 'reasonCode') : 0);
  switch (cmd) {
    case 'connect':
      return fromMqttConnect(o);
    case 'connack':
      return withProps(
        {
          type: 'connack',
          sessionPresent: bool(o, 'sessionPresent'),
          reasonCode: level === 5 ? num(o, 'reasonCode') : num(o, 'returnCode'),
        },
        props(),
      );
    case 'publish': {
      const q = qosOf(num(o, 'qos'), 'qos');
      const packet: PublishPacket = {
        type: 'publish',
        topic: str(o, 'topic'),
        payload: buf(o, 'payload'),
        qos: q,
        retain: bool(o, 'retain'),
        dup: bool(o, 'dup'),
      };
      if (q > 0) packet.packetId = num(o, 'messageId');
      return withProps(packet, props('publish'));
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return withProps({ type: cmd, packetId: num(o, 'messageId'), reasonCode: reasonCode() }, props());
    case 'subscribe':
      return withProps(
        {
          type: 'subscribe',
          packetId: num(o, 'messageId'),
          subscriptions: list(o, 'subscriptions').map((s) => fromMqttSubscription(s, level)),
        },
        props(),
      );
    case 'suback':
      return withProps(
        { type: 'suback', packetId: num(o, 'messageId'), reasonCodes: codes(o, 'granted') },
        props(),
      );
    case 'unsubscribe':
      return withProps(
        {
          type: 'unsubscribe',
          packetId: num(o, 'messageId'),
          topicFilters: list(o, 'unsubscriptions').map((t) =>
            typeof t === 'string' ? t : fail('unsubscription', t),
          ),
        },
        props(),
      );
    case 'unsuback':
      return withProps(
        {
          type: 'unsuback',
          packetId: num(o, 'messageId'),
          reasonCodes: level === 5 ? codes(o, 'granted') : [],
        },
        props(),
      );
    case 'pingreq':
    case 'pingresp':
      return { type: cmd };
    case 'disconnect':
      return withProps({ type: 'disconnect', reasonCode: reasonCode() }, props());
    case 'auth':
      return withProps({ type: 'auth', reasonCode: num(o, 'reasonCode') }, props());
    default:
      return fail('cmd', cmd);
  }
}
