import { type MqttError, malformed, protocolError } from './errors';
import { PROPERTIES_FOR, PROPERTY_BY_ID, type PropertyDef } from './property-table';
import type { AnyProperties, PropertyContext, PublishProperties } from './types';
import { utf8Length } from './utf8';
import { MAX_VBI, vbiLength, type Writer } from './writer';

/**
 * Writing a property list (spec 2.2.2) in two passes: `propertiesLength` validates every value
 * and returns the size, `writeProperties` writes into the buffer sized from it. Only the keys a
 * property object actually holds are visited, in their own order.
 */

/** For each packet, its property keys (PUBLISH has its own path below). */
const KEYS: Readonly<Record<PropertyContext, ReadonlyMap<string, PropertyDef>>> = (() => {
  const build = (context: PropertyContext): Map<string, PropertyDef> =>
    new Map(PROPERTIES_FOR[context].map((def) => [def.key, def]));
  return {
    connect: build('connect'),
    connack: build('connack'),
    publish: build('publish'),
    puback: build('puback'),
    pubrec: build('pubrec'),
    pubrel: build('pubrel'),
    pubcomp: build('pubcomp'),
    subscribe: build('subscribe'),
    suback: build('suback'),
    unsubscribe: build('unsubscribe'),
    unsuback: build('unsuback'),
    pingreq: build('pingreq'),
    pingresp: build('pingresp'),
    disconnect: build('disconnect'),
    auth: build('auth'),
    will: build('will'),
  };
})();

/** Property objects are read by key here; every value is then checked by its wire type. */
function entries(props: AnyProperties): Readonly<Record<string, unknown>> {
  return props as Readonly<Record<string, unknown>>;
}

function badValue(def: PropertyDef, value: unknown): MqttError {
  return protocolError(`property ${def.key} has an invalid value: ${String(value)}`);
}

function checkInt(def: PropertyDef, v: unknown, max: number, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badValue(def, v);
  return v;
}

/** UTF-8 length of a string field, which must fit its 2-byte length prefix (spec 1.5.4). */
export function stringLength(s: string): number {
  const n = utf8Length(s);
  if (n > 0xffff) throw malformed('string longer than 65,535 bytes');
  return n;
}

function valueLength(def: PropertyDef, v: unknown): number {
  switch (def.wire) {
    case 'byte':
      if (typeof v !== 'boolean') checkInt(def, v, 1, 0);
      return 2;
    case 'u16':
      // Receive Maximum and Topic Alias may not be 0 (spec 3.1.2.11.3, [MQTT-3.3.2-8]).
      checkInt(def, v, 0xffff, def.id === 0x21 || def.id === 0x23 ? 1 : 0);
      return 3;
    case 'u32':
      // Maximum Packet Size may not be 0 (spec 3.1.2.11.4).
      checkInt(def, v, 0xffffffff, def.id === 0x27 ? 1 : 0);
      return 5;
    case 'vbi': {
      if (!Array.isArray(v)) return 1 + vbiLength(checkInt(def, v, MAX_VBI, 1));
      let n = 0;
      for (const id of v) n += 1 + vbiLength(checkInt(def, id, MAX_VBI, 1));
      return n;
    }
    case 'utf8':
      if (typeof v !== 'string') throw badValue(def, v);
      return 3 + stringLength(v);
    case 'binary':
      if (!Buffer.isBuffer(v) || v.length > 0xffff) throw badValue(def, v);
      return 3 + v.length;
    case 'pair':
      return pairsLength(def, v);
  }
}

function pairsLength(def: PropertyDef, v: unknown): number {
  if (!Array.isArray(v)) throw badValue(def, v);
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const pair: unknown = v[i];
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw badValue(def, pair);
    }
    n += 5 + stringLength(pair[0]) + stringLength(pair[1]);
  }
  return n;
}

function defOf(id: number): PropertyDef {
  const def = PROPERTY_BY_ID[id];
  if (def === undefined) throw new Error(`no property 0x${id.toString(16)} in the table`);
  return def;
}

/** The one property that may appear in every packet, and the most common: skips the lookup. */
const USER_PROPERTY = defOf(0x26);

/**
 * PUBLISH is the hot path, so its properties are read by name in id order, with no key lookups.
 * The values go through the same checks and writers as every other property.
 */
const PUBLISH_DEFS = {
  payloadFormatIndicator: defOf(0x01),
  messageExpiryInterval: defOf(0x02),
  contentType: defOf(0x03),
  responseTopic: defOf(0x08),
  correlationData: defOf(0x09),
  subscriptionIdentifiers: defOf(0x0b),
  topicAlias: defOf(0x23),
};

function publishPropertiesLength(p: PublishProperties): number {
  const d = PUBLISH_DEFS;
  let n = 0;
  if (p.payloadFormatIndicator !== undefined)
    n += valueLength(d.payloadFormatIndicator, p.payloadFormatIndicator);
  if (p.messageExpiryInterval !== undefined)
    n += valueLength(d.messageExpiryInterval, p.messageExpiryInterval);
  if (p.contentType !== undefined) n += valueLength(d.contentType, p.contentType);
  if (p.responseTopic !== undefined) n += valueLength(d.responseTopic, p.responseTopic);
  if (p.correlationData !== undefined) n += valueLength(d.correlationData, p.correlationData);
  if (p.subscriptionIdentifiers !== undefined)
    n += valueLength(d.subscriptionIdentifiers, p.subscriptionIdentifiers);
  if (p.topicAlias !== undefined) n += valueLength(d.topicAlias, p.topicAlias);
  if (p.userProperties !== undefined) n += pairsLength(USER_PROPERTY, p.userProperties);
  return n;
}

function writePublishProperties(w: Writer, p: PublishProperties): void {
  const d = PUBLISH_DEFS;
  if (p.payloadFormatIndicator !== undefined)
    writeValue(w, d.payloadFormatIndicator, p.payloadFormatIndicator);
  if (p.messageExpiryInterval !== undefined) writeValue(w, d.messageExpiryInterval, p.messageExpiryInterval);
  if (p.contentType !== undefined) writeValue(w, d.contentType, p.contentType);
  if (p.responseTopic !== undefined) writeValue(w, d.responseTopic, p.responseTopic);
  if (p.correlationData !== undefined) writeValue(w, d.correlationData, p.correlationData);
  if (p.subscriptionIdentifiers !== undefined)
    writeValue(w, d.subscriptionIdentifiers, p.subscriptionIdentifiers);
  if (p.topicAlias !== undefined) writeValue(w, d.topicAlias, p.topicAlias);
  if (p.userProperties !== undefined) writePairs(w, p.userProperties);
}

/**
 * Byte length of the property list's contents (without its own length prefix), validating every
 * value on the way. Keys that are not properties of this packet are not sent.
 */
export function propertiesLength(props: AnyProperties | undefined, context: PropertyContext): number {
  if (props === undefined) return 0;
  if (context === 'publish') return publishPropertiesLength(props);
  const keys = KEYS[context];
  const values = entries(props);
  let size = 0;
  for (const key in values) {
    const v = values[key];
    if (v === undefined) continue;
    const def = key === 'userProperties' ? USER_PROPERTY : keys.get(key);
    if (def !== undefined) size += def === USER_PROPERTY ? pairsLength(def, v) : valueLength(def, v);
  }
  return size;
}

/** Writes the length prefix and the list whose content length `propertiesLength` returned. */
export function writeProperties(
  w: Writer,
  props: AnyProperties | undefined,
  context: PropertyContext,
  length: number,
): void {
  w.vbi(length);
  if (props === undefined || length === 0) return;
  if (context === 'publish') {
    writePublishProperties(w, props);
    return;
  }
  const keys = KEYS[context];
  const values = entries(props);
  for (const key in values) {
    const v = values[key];
    if (v === undefined) continue;
    if (key === 'userProperties') writePairs(w, v);
    else {
      const def = keys.get(key);
      if (def !== undefined) writeValue(w, def, v);
    }
  }
}

/** User properties, already checked by `pairsLength`: [name, value] string pairs. */
function writePairs(w: Writer, v: unknown): void {
  if (!Array.isArray(v)) return;
  for (let i = 0; i < v.length; i++) {
    const pair: unknown = v[i];
    if (!Array.isArray(pair)) continue;
    w.u8(0x26);
    w.string(String(pair[0]));
    w.string(String(pair[1]));
  }
}

function writeValue(w: Writer, def: PropertyDef, v: unknown): void {
  const id = def.id;
  switch (def.wire) {
    case 'pair':
      writePairs(w, v);
      return;
    case 'vbi':
      for (const n of Array.isArray(v) ? v : [v]) {
        w.u8(id);
        w.vbi(Number(n));
      }
      return;
    case 'byte':
      w.u8(id);
      w.u8(v === true || v === 1 ? 1 : 0);
      return;
    case 'u16':
      w.u8(id);
      w.u16(Number(v));
      return;
    case 'u32':
      w.u8(id);
      w.u32(Number(v));
      return;
    case 'utf8':
      w.u8(id);
      w.string(String(v));
      return;
    case 'binary':
      if (!Buffer.isBuffer(v)) return;
      w.u8(id);
      w.binary(v);
      return;
  }
}
