/** Topic Names and Topic Filters MUST NOT encode to more than 65,535 bytes [MQTT-4.7.3-3]. */
export const MAX_TOPIC_BYTES = 65535;

/** A UTF-16 code unit never needs more than 3 UTF-8 bytes, so shorter strings need no counting. */
const ALWAYS_FITS = Math.floor(MAX_TOPIC_BYTES / 3);

/** True when `topic` encodes to more than {@link MAX_TOPIC_BYTES} bytes of UTF-8 [MQTT-4.7.3-3]. */
export function exceedsMaxTopicBytes(topic: string): boolean {
  return topic.length > ALWAYS_FITS && Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES;
}
