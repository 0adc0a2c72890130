import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { catalog, translator } from './support';

/** The repository root, seen from `dist/test/nodes/`. */
const root = join(__dirname, '..', '..', '..');
const built = join(root, 'dist', 'nodes');

function keysOf(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keysOf(v, prefix === '' ? k : `${prefix}.${k}`));
}

/** Catalog keys without their i18next plural suffix. */
function baseKeys(lang: 'en-US' | 'de'): Set<string> {
  return new Set(keysOf(catalog(lang)).map((k) => k.replace(/_(one|other)$/, '')));
}

/**
 * The `nodes/lib` files a node file uses, directly or through other lib files: the ones whose
 * keys must be in its catalog (the client nodes' lib files have their own catalogs).
 */
function libFilesOf(nodeFile: string): string[] {
  const lib = join(root, 'nodes', 'lib');
  const seen = new Set<string>();
  const queue = [nodeFile];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const text = readFileSync(next, 'utf8');
    const pattern = next === nodeFile ? /from '\.\/lib\/([\w-]+)'/g : /from '\.\/([\w-]+)'/g;
    for (const m of text.matchAll(pattern)) {
      const file = join(lib, `${m[1]}.ts`);
      if (!seen.has(file)) {
        seen.add(file);
        queue.push(file);
      }
    }
  }
  return [...seen];
}

/** Every `mqtt5-broker.…` key the sources name, literally, as a prefix built in code, or as a problem. */
function usedKeys(): { literal: Set<string>; prefixes: Set<string>; problems: Set<string> } {
  const files = [
    ...libFilesOf(join(root, 'nodes', 'mqtt5-broker.ts')),
    join(root, 'nodes', 'mqtt5-broker.ts'),
    join(root, 'nodes', 'mqtt5-broker.html'),
  ];
  const literal = new Set<string>();
  const prefixes = new Set<string>();
  const problems = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/mqtt5-broker\.([A-Za-z0-9_.-]*[A-Za-z0-9_-])/g)) {
      if (!/\.(svg|html|json|js|ts)$/.test(m[0])) literal.add(m[0]);
    }
    for (const m of text.matchAll(/mqtt5-broker\.([A-Za-z]+)\.(?:\$\{|' \+)/g))
      prefixes.add(`mqtt5-broker.${m[1]}.`);
    // The editor builds keys as t('<section>.' + value) and names others as t('<section>.<key>').
    for (const m of text.matchAll(/t\((?:'([A-Za-z]+)\.' \+|`([A-Za-z]+)\.\$\{)/g)) {
      prefixes.add(`mqtt5-broker.${m[1] ?? m[2]}.`);
    }
    for (const m of text.matchAll(/t\('([A-Za-z]+(?:\.[A-Za-z-]+)+)'/g)) literal.add(`mqtt5-broker.${m[1]}`);
    // Limit problems name their field by its label key.
    for (const m of text.matchAll(/\['(\w+)', \d|field: '(\w+)'/g))
      literal.add(`mqtt5-broker.label.${m[1] ?? m[2]}`);
    // Problems (in the runtime) are translated under errors or warnings by their key.
    if (file.endsWith('.ts'))
      for (const m of text.matchAll(/(?:fail|problem)\('([a-z-]+)'|key: '([a-z-]+)'/g))
        problems.add(m[1] ?? m[2] ?? '');
  }
  return { literal, prefixes, problems };
}

describe('broker node assets', () => {
  it('copies the editor, the locales and the icon next to the built node', () => {
    for (const file of [
      'mqtt5-broker.js',
      'mqtt5-broker.html',
      'locales/en-US/mqtt5-broker.json',
      'locales/en-US/mqtt5-broker.html',
      'locales/de/mqtt5-broker.json',
      'locales/de/mqtt5-broker.html',
      'icons/mqtt5-broker.svg',
    ]) {
      assert.ok(existsSync(join(built, file)), `dist/nodes/${file} is missing`);
    }
  });

  it('registers the node in package.json under node-red.nodes', () => {
    const pkg: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.ok(typeof pkg === 'object' && pkg !== null && 'node-red' in pkg);
    assert.deepEqual(Reflect.get(Object(pkg['node-red']), 'nodes'), {
      'mqtt5-broker': 'dist/nodes/mqtt5-broker.js',
      'mqtt5-connection': 'dist/nodes/mqtt5-connection.js',
      'mqtt5-in': 'dist/nodes/mqtt5-in.js',
      'mqtt5-out': 'dist/nodes/mqtt5-out.js',
      'mqtt5-request': 'dist/nodes/mqtt5-request.js',
    });
    for (const file of ['mqtt5-connection', 'mqtt5-in', 'mqtt5-out', 'mqtt5-request']) {
      for (const asset of [
        `${file}.js`,
        `${file}.html`,
        `locales/en-US/${file}.json`,
        `locales/en-US/${file}.html`,
      ]) {
        assert.ok(existsSync(join(built, asset)), `dist/nodes/${asset} is missing`);
      }
    }
  });

  it('registers the editor with literals, in the mqtt5 category, with its own icon', () => {
    const html = readFileSync(join(built, 'mqtt5-broker.html'), 'utf8');
    assert.match(html, /<script type="text\/javascript">/);
    assert.match(html, /RED\.nodes\.registerType\('mqtt5 broker', \{/);
    assert.match(html, /category: 'mqtt5',/);
    assert.match(html, /icon: 'mqtt5-broker\.svg',/);
    assert.match(html, /data-template-name="mqtt5 broker"/);
    for (const lang of ['en-US', 'de']) {
      const help = readFileSync(join(built, 'locales', lang, 'mqtt5-broker.html'), 'utf8');
      assert.match(help, /data-help-name="mqtt5 broker"/);
    }
  });

  it('has the same keys in English and German', () => {
    assert.deepEqual(keysOf(catalog('de')).sort(), keysOf(catalog('en-US')).sort());
  });

  it('has a catalog entry for every key the node and the editor use, and no unused ones', () => {
    const known = baseKeys('en-US');
    const { literal, prefixes, problems } = usedKeys();
    const isPrefix = (k: string) => [...known].some((c) => c.startsWith(`${k}.`));
    const missing = [...literal].filter((k) => !known.has(k) && !isPrefix(k));
    const problemMissing = [...problems].filter(
      (p) => !known.has(`mqtt5-broker.errors.${p}`) && !known.has(`mqtt5-broker.warnings.${p}`),
    );
    assert.deepEqual([...missing, ...problemMissing], [], 'keys used but not in the catalog');
    const used = (k: string) =>
      literal.has(k) ||
      [...prefixes].some((p) => k.startsWith(p) && !/^mqtt5-broker\.(errors|warnings|label)\./.test(p)) ||
      problems.has(k.replace(/^mqtt5-broker\.(errors|warnings)\./, ''));
    assert.deepEqual(
      [...known].filter((k) => !used(k)),
      [],
      'catalog keys nothing uses',
    );
  });
});

/** The editor's node definition, from running its inline script against a stub `RED`. */
function editorDefinition(): Record<string, unknown> {
  const html = readFileSync(join(built, 'mqtt5-broker.html'), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (script === undefined) throw new Error('no editor script');
  const registered: Record<string, unknown>[] = [];
  const RED = {
    nodes: {
      registerType: (type: string, definition: Record<string, unknown>) =>
        registered.push({ type, definition }),
    },
  };
  runInNewContext(script, { RED, $: () => undefined });
  assert.equal(registered.length, 1);
  assert.equal(registered[0]?.['type'], 'mqtt5 broker');
  const definition = registered[0]?.['definition'];
  if (typeof definition !== 'object' || definition === null) throw new Error('no definition');
  return Object.fromEntries(Object.entries(definition));
}

type Validate = (value: unknown, opt?: object) => unknown;

function validatorOf(definition: Record<string, unknown>, field: string): Validate {
  const defaults: unknown = definition['defaults'];
  const entry: unknown =
    typeof defaults === 'object' && defaults !== null ? Reflect.get(defaults, field) : undefined;
  const validate: unknown =
    typeof entry === 'object' && entry !== null ? Reflect.get(entry, 'validate') : undefined;
  if (typeof validate !== 'function') throw new Error(`${field} has no validator`);
  return (value, opt) => Reflect.apply(validate, editorNode, [value, opt]);
}

/** An editor node as validators see it: `_` translates with the shipped catalog. */
const editorNode: Record<string, unknown> = {
  _: (key: string, values?: Record<string, string | number>) => translator('en-US')(key, values),
};

describe('broker node editor', () => {
  const definition = editorDefinition();

  it('sits in the mqtt5 category with one input, one output and a password credential', () => {
    assert.equal(definition['category'], 'mqtt5');
    assert.equal(definition['inputs'], 1);
    assert.equal(definition['outputs'], 1);
    assert.equal(definition['icon'], 'mqtt5-broker.svg');
    assert.deepEqual(JSON.parse(JSON.stringify(definition['credentials'])), {
      passwords: { type: 'password' },
    });
  });

  it('validates listeners: ports, paths, duplicates and the TLS configuration', () => {
    const validate = validatorOf(definition, 'listeners');
    const tcp = { type: 'tcp', port: '1883' };
    assert.equal(validate([tcp, { type: 'ws-node-red', path: '/mqtt' }], {}), true);
    assert.equal(validate([{ type: 'tcp', port: '' }], {}), 'a port from 1 to 65535');
    assert.equal(validate([{ type: 'tcp', port: '65536' }]), false);
    assert.equal(validate([{ type: 'ws-node-red', path: 'mqtt' }], {}), 'a path starting with /');
    assert.equal(validate([tcp, { type: 'ws', port: '1883' }], {}), 'port 1883 is used by two listeners');
    assert.equal(
      validate([{ type: 'tls', port: '8883' }], {}),
      'a TLS or WSS listener needs a TLS configuration',
    );
    editorNode['tls'] = 'tls1';
    assert.equal(validate([{ type: 'tls', port: '8883' }], {}), true);
    delete editorNode['tls'];
  });

  it('validates users, access rules and limits', () => {
    assert.equal(
      validatorOf(definition, 'accounts')([{ username: 'a' }, { username: 'a' }], {}),
      'username a is listed twice',
    );
    assert.equal(validatorOf(definition, 'accounts')([{ username: ' ' }], {}), 'every user needs a username');
    assert.equal(
      validatorOf(definition, 'acl')([{ who: 'user', topic: 'a/#' }], {}),
      'a user rule needs a username',
    );
    assert.equal(
      validatorOf(definition, 'acl')([{ who: 'everyone', topic: '' }], {}),
      'every rule needs a topic filter',
    );
    const receiveMaximum = validatorOf(definition, 'receiveMaximum');
    assert.equal(receiveMaximum('', {}), true);
    assert.equal(receiveMaximum('10', {}), true);
    assert.equal(receiveMaximum('0', {}), 'a whole number from 1 to 65535');
  });

  it('labels the node with its name, or its ports', () => {
    const label = definition['label'];
    assert.equal(typeof label, 'function');
    const labelOf = (node: Record<string, unknown>) =>
      typeof label === 'function' ? Reflect.apply(label, { ...editorNode, ...node }, []) : undefined;
    assert.equal(labelOf({ name: 'home' }), 'home');
    assert.equal(
      labelOf({
        listeners: [
          { type: 'tcp', port: '1883' },
          { type: 'ws-node-red', path: '/mqtt' },
        ],
      }),
      'mqtt5 broker :1883 /mqtt',
    );
  });
});
