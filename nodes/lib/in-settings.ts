import { readChoice, readText } from './fields';
import { readSubscription, type WantedSubscription } from './in-subscription';
import type { NodeDefinition } from './node-red-types';
import { OUTPUT_FORMATS, type OutputFormat } from './payload';
import { fail, ok, type Result } from './problems';

/** The settings of an `mqtt5 in` node. Problems are keys under `mqtt5-in.errors`. */
export interface InSettings {
  /** The id of its `mqtt5-connection` config node. */
  connectionId: string;
  /** One input, `msg.action` subscribes and unsubscribes (the core node's `inputs: 1`). */
  dynamic: boolean;
  /** The output type: `auto-detect` (the default), `utf8`, `buffer`, `json` or `base64`. */
  datatype: OutputFormat;
  /** The node's own subscription; undefined for a dynamic node, which starts with none. */
  subscription: WantedSubscription | undefined;
}

/** Reads the node's properties: `connection`, `topic`, `qos`, `nl`, `rap`, `rh`, `datatype`, `inputs`. */
export function parseInNode(definition: NodeDefinition): Result<InSettings> {
  const connection = readText(definition['connection']);
  if (!connection.ok || connection.value === '') return fail('connection-missing');
  const datatype = readChoice(definition['datatype'], OUTPUT_FORMATS, 'auto-detect');
  if (!datatype.ok) return fail('datatype-invalid', { value: String(definition['datatype']) });
  const inputs = definition['inputs'];
  const dynamic = inputs === 1 || inputs === '1';
  const settings: InSettings = {
    connectionId: connection.value,
    dynamic,
    datatype: datatype.value,
    subscription: undefined,
  };
  if (dynamic) return ok(settings);

  // The node's output type is the node's; the subscription has no type of its own.
  const subscription = readSubscription({ ...definition, datatype: undefined });
  if (!subscription.ok) return subscription;
  settings.subscription = subscription.value;
  return ok(settings);
}
