import type { AnyProperties, PropertyContext } from './types';

/**
 * The MQTT 5.0 property table (spec 2.2.2.2): each property's id, wire type, and the packets it
 * may appear in. Decoding rejects a property outside its packet's allow-list, found here rather
 * than by scattered checks.
 */

export type WireType = 'byte' | 'u16' | 'u32' | 'vbi' | 'utf8' | 'binary' | 'pair';

export interface PropertyDef {
  readonly id: number;
  /** Key in the typed property objects. 0x0B is `subscriptionIdentifiers` (a list) in PUBLISH. */
  readonly key: keyof AnyProperties;
  readonly wire: WireType;
  readonly contexts: readonly PropertyContext[];
  /** Bit for the "seen" mask that catches duplicates. */
  readonly bit: number;
}

const acks: PropertyContext[] = ['puback', 'pubrec', 'pubrel', 'pubcomp', 'suback', 'unsuback'];

const rows: [number, keyof AnyProperties, WireType, PropertyContext[]][] = [
  [0x01, 'payloadFormatIndicator', 'byte', ['publish', 'will']],
  [0x02, 'messageExpiryInterval', 'u32', ['publish', 'will']],
  [0x03, 'contentType', 'utf8', ['publish', 'will']],
  [0x08, 'responseTopic', 'utf8', ['publish', 'will']],
  [0x09, 'correlationData', 'binary', ['publish', 'will']],
  [0x0b, 'subscriptionIdentifier', 'vbi', ['publish', 'subscribe']],
  [0x11, 'sessionExpiryInterval', 'u32', ['connect', 'connack', 'disconnect']],
  [0x12, 'assignedClientIdentifier', 'utf8', ['connack']],
  [0x13, 'serverKeepAlive', 'u16', ['connack']],
  [0x15, 'authenticationMethod', 'utf8', ['connect', 'connack', 'auth']],
  [0x16, 'authenticationData', 'binary', ['connect', 'connack', 'auth']],
  [0x17, 'requestProblemInformation', 'byte', ['connect']],
  [0x18, 'willDelayInterval', 'u32', ['will']],
  [0x19, 'requestResponseInformation', 'byte', ['connect']],
  [0x1a, 'responseInformation', 'utf8', ['connack']],
  [0x1c, 'serverReference', 'utf8', ['connack', 'disconnect']],
  [0x1f, 'reasonString', 'utf8', ['connack', ...acks, 'disconnect', 'auth']],
  [0x21, 'receiveMaximum', 'u16', ['connect', 'connack']],
  [0x22, 'topicAliasMaximum', 'u16', ['connect', 'connack']],
  [0x23, 'topicAlias', 'u16', ['publish']],
  [0x24, 'maximumQoS', 'byte', ['connack']],
  [0x25, 'retainAvailable', 'byte', ['connack']],
  [
    0x26,
    'userProperties',
    'pair',
    ['connect', 'connack', 'publish', 'will', ...acks, 'subscribe', 'unsubscribe', 'disconnect', 'auth'],
  ],
  [0x27, 'maximumPacketSize', 'u32', ['connect', 'connack']],
  [0x28, 'wildcardSubscriptionAvailable', 'byte', ['connack']],
  [0x29, 'subscriptionIdentifiersAvailable', 'byte', ['connack']],
  [0x2a, 'sharedSubscriptionAvailable', 'byte', ['connack']],
];

export const PROPERTY_TABLE: readonly PropertyDef[] = rows.map(([id, key, wire, contexts], i) => ({
  id,
  key,
  wire,
  contexts,
  bit: 1 << i,
}));

function perContext<T>(make: () => T): Record<PropertyContext, T> {
  return {
    connect: make(),
    connack: make(),
    publish: make(),
    puback: make(),
    pubrec: make(),
    pubrel: make(),
    pubcomp: make(),
    subscribe: make(),
    suback: make(),
    unsubscribe: make(),
    unsuback: make(),
    pingreq: make(),
    pingresp: make(),
    disconnect: make(),
    auth: make(),
    will: make(),
  };
}

/** Property definitions indexed by id (sparse). */
export const PROPERTY_BY_ID: readonly (PropertyDef | undefined)[] = (() => {
  const byId: (PropertyDef | undefined)[] = new Array(0x2b).fill(undefined);
  for (const def of PROPERTY_TABLE) byId[def.id] = def;
  return byId;
})();

/** For each context, a bit mask over `PropertyDef.bit` of the properties it allows. */
export const ALLOWED_MASK: Readonly<Record<PropertyContext, number>> = (() => {
  const masks = perContext(() => 0);
  for (const def of PROPERTY_TABLE) for (const c of def.contexts) masks[c] |= def.bit;
  return masks;
})();

/** For each context, the properties it allows, in id order (the order the encoder writes them). */
export const PROPERTIES_FOR: Readonly<Record<PropertyContext, readonly PropertyDef[]>> = (() => {
  const lists = perContext((): PropertyDef[] => []);
  for (const def of PROPERTY_TABLE) for (const c of def.contexts) lists[c].push(def);
  return lists;
})();

export function propertyAllowed(id: number, context: PropertyContext): boolean {
  const def = PROPERTY_BY_ID[id];
  return def !== undefined && (ALLOWED_MASK[context] & def.bit) !== 0;
}
