import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { catalog, type NodeFile, translator } from './support';

/**
 * The editor side of every node file: its catalogs in both languages, the keys its editor uses,
 * its icon, its help, and the validators of its dialog (run against a stub `RED`).
 */

/** The repository root, seen from `dist/test/nodes/`. */
const root = join(__dirname, '..', '..', '..');
const built = join(root, 'dist', 'nodes');

const FILES: NodeFile[] = ['mqtt5-broker', 'mqtt5-connection', 'mqtt5-in', 'mqtt5-out', 'mqtt5-request'];
const CLIENT_FILES = FILES.filter((f) => f !== 'mqtt5-broker');
const LANGS = ['en-US', 'de'] as const;

function keysOf(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keysOf(v, prefix === '' ? k : `${prefix}.${k}`));
}

/** Every text of a catalog, by its full key. */
function texts(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof value === 'string') out.set(prefix, value);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) texts(v, prefix === '' ? k : `${prefix}.${k}`, out);
  }
  return out;
}

/** The catalog's keys, without i18next plural suffixes. */
function known(file: NodeFile): Set<string> {
  return new Set(keysOf(catalog('en-US', file)).map((k) => k.replace(/_(one|other)$/, '')));
}

/**
 * The keys an editor file names: `data-i18n` attributes, and `this._` / `t(…)` calls, with the
 * file's `NS` resolved. A key ending in `.` or built from a value is a prefix.
 */
function editorKeys(file: NodeFile): { literal: Set<string>; prefixes: Set<string> } {
  const text = readFileSync(join(root, 'nodes', `${file}.html`), 'utf8').replace(/\$\{NS\}/g, file);
  const literal = new Set<string>();
  const prefixes = new Set<string>();
  const note = (key: string) => {
    if (/\.(svg|html|json|js)\.?$/.test(key)) return;
    if (key.endsWith('.')) prefixes.add(key);
    else literal.add(key);
  };
  for (const m of text.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const part of (m[1] ?? '').split(';')) note(part.replace(/^\[[^\]]+\]/, ''));
  }
  for (const m of text.matchAll(new RegExp(`${file}\\.[A-Za-z0-9_.-]*`, 'g'))) note(m[0]);
  for (const m of text.matchAll(/\bt\(\s*'([A-Za-z0-9_.-]+)'/g)) note(`${file}.${m[1]}`);
  for (const m of text.matchAll(/\bt\(\s*`([A-Za-z0-9_.-]+)(\$\{)?/g)) note(`${file}.${m[1]}`);
  return { literal, prefixes };
}

/** The editor's node definitions, from running its inline script against a stub `RED` and `$`. */
function editorDefinition(file: NodeFile): { type: string; definition: Record<string, unknown> } {
  const html = readFileSync(join(built, `${file}.html`), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (script === undefined) throw new Error(`no editor script in ${file}.html`);
  const registered: { type: string; definition: Record<string, unknown> }[] = [];
  const RED = {
    nodes: {
      registerType: (type: string, definition: Record<string, unknown>) =>
        registered.push({ type, definition }),
    },
  };
  // Outside an edit dialog, `$(…)` finds nothing.
  runInNewContext(script, { RED, $: () => ({ length: 0 }) });
  assert.equal(registered.length, 1, `${file}.html registers one type`);
  const first = registered[0];
  if (first === undefined) throw new Error('nothing registered');
  return first;
}

/** A validator of the definition, called as the editor calls it: `this` is the node. */
function validator(
  definition: Record<string, unknown>,
  field: string,
  file: NodeFile,
): (value: unknown, node?: Record<string, unknown>) => unknown {
  const defaults: unknown = definition['defaults'];
  const entry: unknown =
    typeof defaults === 'object' && defaults !== null ? Reflect.get(defaults, field) : undefined;
  const validate: unknown =
    typeof entry === 'object' && entry !== null ? Reflect.get(entry, 'validate') : undefined;
  if (typeof validate !== 'function') throw new Error(`${file}: ${field} has no validator`);
  const t = translator('en-US', file);
  return (value, node = {}) => Reflect.apply(validate, { ...node, _: t }, [value, {}]);
}

function defaultOf(definition: Record<string, unknown>, field: string): Record<string, unknown> {
  const defaults: unknown = definition['defaults'];
  const entry: unknown =
    typeof defaults === 'object' && defaults !== null ? Reflect.get(defaults, field) : undefined;
  assert.ok(typeof entry === 'object' && entry !== null, `no default for ${field}`);
  return Object.fromEntries(Object.entries(entry));
}

describe('editor catalogs', () => {
  for (const file of FILES) {
    it(`${file}: English and German have the same keys`, () => {
      assert.deepEqual(keysOf(catalog('de', file)).sort(), keysOf(catalog('en-US', file)).sort());
    });

    it(`${file}: every key the editor names is in its catalog`, () => {
      const keys = known(file);
      const { literal, prefixes } = editorKeys(file);
      assert.ok(literal.size > 5, `${file}.html names its texts by key`);
      assert.deepEqual(
        [...literal].filter((k) => !keys.has(k) && ![...keys].some((c) => c.startsWith(`${k}.`))),
        [],
        `${file}.html uses keys missing from locales/en-US/${file}.json`,
      );
      assert.deepEqual(
        [...prefixes].filter((p) => ![...keys].some((c) => c.startsWith(p))),
        [],
        'key prefixes with no key',
      );
    });

    it(`${file}: no German text is left empty or untranslated where English has words`, () => {
      const en = texts(catalog('en-US', file));
      const de = texts(catalog('de', file));
      const same = [...en].filter(([k, text]) => {
        const german = de.get(k) ?? '';
        return german.trim() === '' || (text === german && /\b(the|and|must|a|an|to|or)\b/.test(text));
      });
      assert.deepEqual(same, []);
    });
  }
});

describe('editor icons', () => {
  const icons = readdirSync(join(root, 'icons')).filter((f) => f.endsWith('.svg'));

  it('gives every node with a palette entry its own icon, named for this package', () => {
    const used = new Map<string, string>();
    for (const file of FILES) {
      const { type, definition } = editorDefinition(file);
      if (definition['category'] === 'config') continue;
      const icon = definition['icon'];
      assert.equal(typeof icon, 'string', `${type} has an icon`);
      assert.equal(icon, `${file}.svg`, `${type} uses icons/${file}.svg`);
      assert.ok(icons.includes(String(icon)), `icons/${String(icon)} exists`);
      assert.ok(existsSync(join(built, 'icons', String(icon))), `dist/nodes/icons/${String(icon)} is copied`);
      assert.equal(used.get(String(icon)), undefined, `${String(icon)} is used once`);
      used.set(String(icon), type);
    }
    assert.equal(used.size, 4);
  });

  it('ships only icons a node uses, each a distinct SVG with a title', () => {
    assert.deepEqual([...icons].sort(), [
      'mqtt5-broker.svg',
      'mqtt5-in.svg',
      'mqtt5-out.svg',
      'mqtt5-request.svg',
    ]);
    const bodies = icons.map((f) => readFileSync(join(root, 'icons', f), 'utf8'));
    for (const body of bodies) {
      assert.match(body, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(body, /<title>mqtt5 [a-z]+<\/title>/);
    }
    const shapes = bodies.map((b) => b.replace(/<title>[\s\S]*?<\/title>|<!--[\s\S]*?-->/g, ''));
    assert.equal(new Set(shapes).size, shapes.length, 'no two icons draw the same');
  });
});

/** The `<dt>` names of the msg properties listed in one `<h3>` section of a help file. */
function propertiesIn(help: string, heading: string): string[] {
  const start = help.indexOf(`<h3>${heading}</h3>`);
  if (start < 0) return [];
  const next = help.indexOf('<h3>', start + 1);
  const section = help.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/<dt[^>]*>\s*([^<]+?)\s*(?:<span|<\/dt>)/g)].map((m) => (m[1] ?? '').trim());
}

const HEADINGS = {
  'en-US': { inputs: 'Inputs', outputs: 'Outputs', details: 'Details' },
  de: { inputs: 'Eingänge', outputs: 'Ausgänge', details: 'Details' },
} as const;

describe('editor help', () => {
  for (const file of CLIENT_FILES) {
    const { type, definition } = editorDefinition(file);
    const isConfig = definition['category'] === 'config';

    for (const lang of LANGS) {
      it(`${file} (${lang}): Inputs, Outputs and Details with the msg properties, as Node-RED's help style has`, () => {
        const help = readFileSync(join(built, 'locales', lang, `${file}.html`), 'utf8');
        assert.match(help, new RegExp(`data-help-name="${type}"`));
        const h = HEADINGS[lang];
        const headings = [...help.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
        if (isConfig) {
          assert.deepEqual(headings, [h.details], 'a config node has only Details');
          return;
        }
        assert.deepEqual(headings, [h.inputs, h.outputs, h.details]);
        assert.match(help, /<dl class="message-properties">/);
        if (file !== 'mqtt5-out') assert.ok(propertiesIn(help, h.outputs).includes('payload'));
        assert.ok(propertiesIn(help, h.inputs).length > 0, 'the inputs are listed');
      });
    }

    it(`${file}: German help lists the same msg properties as English`, () => {
      const en = readFileSync(join(built, 'locales', 'en-US', `${file}.html`), 'utf8');
      const de = readFileSync(join(built, 'locales', 'de', `${file}.html`), 'utf8');
      const msgProps = (help: string, heading: string) =>
        propertiesIn(help, heading).filter((p) => /^[a-z][A-Za-z]*(, [a-z][A-Za-z]*)*$/.test(p));
      assert.deepEqual(msgProps(de, 'Eingänge'), msgProps(en, 'Inputs'));
      assert.deepEqual(msgProps(de, 'Ausgänge'), msgProps(en, 'Outputs'));
    });
  }

  it('documents every msg property the out node reads', () => {
    const en = readFileSync(join(built, 'locales', 'en-US', 'mqtt5-out.html'), 'utf8');
    const inputs = propertiesIn(en, 'Inputs');
    for (const field of [
      'payload',
      'topic',
      'qos',
      'retain',
      'userProperties',
      'responseTopic',
      'correlationData',
      'contentType',
      'payloadFormatIndicator',
      'messageExpiryInterval',
      'topicAlias',
      'action',
      'broker',
    ]) {
      assert.ok(inputs.includes(field), `mqtt5 out help lists msg.${field}`);
    }
  });
});

describe('editor dialogs', () => {
  it('flags a user property row with a value but no key, in out and request', () => {
    for (const file of ['mqtt5-out', 'mqtt5-request'] as const) {
      const rows = validator(editorDefinition(file).definition, 'userProperties', file);
      assert.equal(rows([{ key: '', value: 'v', type: 'msg' }]), 'A user property with a value needs a key');
      assert.equal(
        rows([
          { key: 'k', value: 'v' },
          { key: '', value: '' },
        ]),
        true,
      );
      assert.equal(rows([]), true);
    }
  });

  it('flags an empty connection of in, out and request as required', () => {
    for (const file of ['mqtt5-in', 'mqtt5-out', 'mqtt5-request'] as const) {
      const { definition } = editorDefinition(file);
      const connection = defaultOf(definition, 'connection');
      assert.equal(connection['type'], 'mqtt5-connection', `${file}: the connection is a config node`);
      assert.equal(connection['required'], true, `${file}: the connection is required`);
    }
  });

  it('flags an empty or wrong URL of the connection, and a missing broker node', () => {
    const { definition } = editorDefinition('mqtt5-connection');
    const url = validator(definition, 'url', 'mqtt5-connection');
    const message = 'Enter a URL starting with mqtt://, mqtts://, ws:// or wss://';
    assert.equal(url('', { target: 'url' }), message);
    assert.equal(url('http://x', { target: 'url' }), message);
    assert.equal(url('mqtt://127.0.0.1:1883', { target: 'url' }), true);
    assert.equal(url('', { target: 'broker' }), true);
    const broker = validator(definition, 'broker', 'mqtt5-connection');
    assert.equal(broker('', { target: 'broker' }), 'Choose the mqtt5 broker node to connect to');
    assert.equal(broker('b1', { target: 'broker' }), true);
  });

  it('flags an empty or wrong topic filter of mqtt5 in, unless it is dynamic', () => {
    const { definition } = editorDefinition('mqtt5-in');
    const topic = validator(definition, 'topic', 'mqtt5-in');
    assert.equal(topic(''), 'Enter a topic filter');
    assert.equal(topic('a/#/b'), 'Invalid topic filter: + and # must fill a whole level, # only at the end');
    assert.equal(topic('a/+/c'), true);
    assert.equal(topic('', { inputs: 1 }), true);
  });

  it('offers typed inputs for the values that may come from msg, flow, global or env', () => {
    const out = editorDefinition('mqtt5-out').definition;
    for (const field of ['topic', 'responseTopic', 'correlationData', 'contentType']) {
      assert.equal(defaultOf(out, `${field}Type`)['value'], 'str', `mqtt5 out ${field}Type`);
    }
    const request = editorDefinition('mqtt5-request').definition;
    for (const field of ['topic', 'contentType']) {
      assert.equal(defaultOf(request, `${field}Type`)['value'], 'str', `mqtt5 request ${field}Type`);
    }
    for (const file of ['mqtt5-out', 'mqtt5-request'] as const) {
      const html = readFileSync(join(built, `${file}.html`), 'utf8');
      assert.match(html, /\.typedInput\(\{/);
      assert.match(html, /types: \[text\]\.concat\(FROM\)/);
      assert.match(html, /const FROM = \['msg', 'flow', 'global', 'env'\];/);
      assert.match(html, /autoComplete: searchTopics/);
      assert.match(html, /mqtt5-broker\/\$\{encodeURIComponent\(broker\)\}\/topics/);
    }
  });

  it('checks a text topic for wildcards, and leaves a msg/flow/global/env reference alone', () => {
    for (const file of ['mqtt5-out', 'mqtt5-request'] as const) {
      const topic = validator(editorDefinition(file).definition, 'topic', file);
      assert.equal(topic('a/#'), 'A topic to publish to must not contain + or #');
      assert.equal(topic('a/#', { topicType: 'str' }), 'A topic to publish to must not contain + or #');
      assert.equal(topic('a/b'), true);
      assert.equal(topic('#:(file)::dest', { topicType: 'flow' }), true);
    }
  });

  it('hides the v5 options for a 3.1.1 connection and groups the advanced ones in a collapsible section', () => {
    for (const [file, v5] of [
      ['mqtt5-in', 'mqtt5-in-v5'],
      ['mqtt5-out', 'mqtt5-out-v5'],
      ['mqtt5-request', 'mqtt5-request-v4'],
    ] as const) {
      const html = readFileSync(join(built, `${file}.html`), 'utf8');
      assert.match(html, /RED\.nodes\.node\(\$\('#node-input-connection'\)\.val\(\)\)/);
      assert.match(html, /protocolVersion\) [!=]== '4'/);
      assert.match(html, new RegExp(`\\$\\('\\.${v5}'\\)\\.toggle\\(`));
      assert.match(html, new RegExp(`id="${file}-advanced-toggle"`));
      assert.match(html, new RegExp(`class="${file}-advanced"`));
    }
    const connection = readFileSync(join(built, 'mqtt5-connection.html'), 'utf8');
    assert.match(connection, /\$\('\.mqtt5-connection-v5'\)\.toggle\(v5\)/);
    // The config node offers the topics of a local broker node for its birth, close and will.
    assert.match(connection, /mqtt5-broker\/\$\{encodeURIComponent\(broker\)\}\/topics/);
    assert.match(connection, /\.autoComplete\(\{ search: searchTopics, minLength: 0 \}\)/);
  });
});
