import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  moveBrokerPort,
  type NodeRedRuntime,
  readExample,
  startNodeRed,
} from '../../nodes/build/demo-runtime';
import { freePort } from '../palette/net';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import { CONNECTION_DIALOG, englishLabel, NODE_DIALOGS, type NodeDialog } from './dialogs';
import {
  closeEditor,
  type EditorPage,
  flagged,
  inEditor,
  openEditor,
  RAW_KEY,
  rawKeys,
  screenshot,
  trayText,
} from './editor-page';

/**
 * The editor in a real browser: Node-RED 4.1 (the demo runtime, this package linked from the
 * working tree) with the request/response example deployed, driven through Debian's chromium.
 * MQTT5_SCREENSHOTS=1 also writes the screenshots to docs/images (the README shows them).
 */

/** Bounds on the Node-RED start and on each step of opening the editor (launch, load, palette). */
const START_MS = 45000;
const EDITOR_MS = 15000;
const EXAMPLE_TAB = 'ex2-tab';
const NODE_TYPES = ['mqtt5 broker', 'mqtt5 in', 'mqtt5 out', 'mqtt5 request'];
/** The example's broker listens on 1884; the test moves it to a free port. */
const EXAMPLE_PORT = 1884;

/** Polls `check` every 100 ms until it holds; fails after `ms`, naming `what`. */
async function until(check: () => Promise<boolean>, what: string, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function trayCount(page: Page): Promise<number> {
  return page.locator('.red-ui-tray').count();
}

/** Waits for the topmost tray to show the dialog's English labels, then checks it for raw keys. */
async function checkTranslated(page: Page, dialog: NodeDialog): Promise<void> {
  const wanted = dialog.labels.map((key) => englishLabel(dialog.ns, key));
  await until(
    async () => {
      const text = await trayText(page);
      return wanted.every((label) => text.includes(label));
    },
    `the ${dialog.type} dialog to show ${wanted.join(', ')}`,
  );
  assert.deepEqual(rawKeys(await trayText(page)), [], `raw i18n keys in the ${dialog.type} dialog`);
}

/** Shows each other tab of the dialog in turn, checking it for raw keys. */
async function checkTabs(page: Page, dialog: NodeDialog): Promise<void> {
  for (const tab of dialog.tabs) {
    await page.locator(`.red-ui-tray a[href="#${tab}"]`).last().click();
    assert.deepEqual(
      rawKeys(await trayText(page)),
      [],
      `raw i18n keys on ${tab} of the ${dialog.type} dialog`,
    );
  }
}

/** Empties a text field the way a user does, and lets the editor validate it. */
async function empty(page: Page, selector: string): Promise<void> {
  const field = page.locator(selector).first();
  await field.fill('');
  await field.dispatchEvent('change');
}

/** Empties the dialog's required field; resolves once the editor flags it. */
async function breakRequiredField(page: Page, type: string): Promise<void> {
  if (type === 'mqtt5 in') {
    await empty(page, '#node-input-topic');
    await until(() => flagged(page, '#node-input-topic'), 'the empty topic to be flagged');
  } else if (type === 'mqtt5 broker') {
    await empty(page, '.mqtt5-broker-listener-port');
    await until(() => flagged(page, '.mqtt5-broker-listener-port'), 'the empty listener port to be flagged');
  } else {
    // out and request: no connection chosen ("Add new mqtt5-connection…").
    await page.selectOption('#node-input-connection', '_ADD_');
    await until(() => flagged(page, '#node-input-connection'), 'the missing connection to be flagged');
  }
}

/** Cancels the topmost edit tray; resolves once its cancel button is gone. */
async function cancelTray(page: Page, button: string): Promise<void> {
  await page.locator(button).click();
  await page.locator(button).waitFor({ state: 'detached' });
}

describe('editor in chromium (Node-RED 4.1, request/response example)', function () {
  // The hooks' worst case (45 s start, 3 × 15 s to open the editor) stays under this.
  this.timeout(100000);
  let runtime: NodeRedRuntime | undefined;
  let editor: EditorPage | undefined;
  let scratch = '';

  function page(): Page {
    if (editor === undefined) throw new Error('the editor is not open');
    return editor.page;
  }

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'mqtt5-browser-'));
    runtime = await startNodeRed({
      userDir: join(scratch, 'user'),
      editorPort: await freePort(),
      flows: moveBrokerPort(readExample('02'), EXAMPLE_PORT, await freePort()),
      startTimeoutMs: START_MS,
      // No palette catalogue: the browser reaches nothing beyond loopback.
      settings: { editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } } },
      // c8 measures the test process, not Node-RED.
      env: { NODE_V8_COVERAGE: '' },
    });
    editor = await openEditor(runtime.url, EDITOR_MS);
    await inEditor(page(), `RED.workspaces.show('${EXAMPLE_TAB}')`);
  });

  after(async () => {
    await closeEditor(editor);
    editor = undefined;
    const stopped = await runtime?.stop(10000);
    runtime = undefined;
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
    if (stopped?.killed) throw new Error('Node-RED did not stop on SIGINT within 10 s');
  });

  afterEach(async function () {
    if (editor === undefined) return;
    if (this.currentTest?.state === 'failed') {
      const shot = join(tmpdir(), `mqtt5-browser-failure-${Date.now()}.png`);
      await editor.page.screenshot({ path: shot, timeout: 10000 }).catch(() => undefined);
      process.stderr.write(
        `--- failure screenshot: ${shot}\n--- browser console ---\n${editor.problems.join('\n')}\n`,
      );
      if (runtime !== undefined) process.stderr.write(`--- Node-RED output ---\n${runtime.output()}\n`);
    }
    // A failed test may leave edit trays open: cancel them, so the next test starts from the workspace.
    // (A stacked tray detaches the one below it, so this counts one tray at a time.)
    for (let attempt = 0; attempt < 3 && (await trayCount(editor.page)) > 0; attempt++) {
      await inEditor(editor.page, 'RED.tray.close()');
      await new Promise((done) => setTimeout(done, 1000));
    }
  });

  it('shows the mqtt5 palette category with every node type, labels translated', async () => {
    const category = page().locator('#red-ui-palette-container-mqtt5');
    const entries = category.locator('.red-ui-palette-node[data-palette-type]');
    const types: string[] = [];
    for (let i = 0; i < (await entries.count()); i++) {
      types.push((await entries.nth(i).getAttribute('data-palette-type')) ?? '');
    }
    assert.deepEqual(types.sort(), NODE_TYPES);
    const labels = (await entries.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
    assert.deepEqual(labels.sort(), NODE_TYPES);
    assert.equal(
      await page().locator('.red-ui-palette-node[data-palette-type="mqtt5-connection"]').count(),
      0,
    );
  });

  for (const dialog of NODE_DIALOGS) {
    it(`opens the ${dialog.type} dialog translated, and flags an empty required field`, async () => {
      await page().locator(`#${dialog.id} > rect`).first().dblclick();
      await checkTranslated(page(), dialog);
      assert.ok((await screenshot(page(), scratch, dialog.image)) > 10000);
      await breakRequiredField(page(), dialog.type);
      await checkTabs(page(), dialog);
      await cancelTray(page(), '#node-dialog-cancel');
    });
  }

  it('opens the mqtt5-connection dialog translated, and flags an empty URL', async () => {
    await page().locator('#ex2-service > rect').first().dblclick();
    await page().locator('#node-input-btn-connection-edit').click();
    await page().locator('#node-config-dialog-cancel').waitFor();
    await checkTranslated(page(), CONNECTION_DIALOG);
    assert.ok((await screenshot(page(), scratch, CONNECTION_DIALOG.image)) > 10000);
    await checkTabs(page(), CONNECTION_DIALOG);
    await cancelTray(page(), '#node-config-dialog-cancel');

    // A new connection: it connects to a URL, and a URL is required.
    await page().locator('#node-input-btn-connection-add').click();
    await page().locator('#node-config-dialog-cancel').waitFor();
    const url = page().locator('#node-config-input-url');
    assert.equal(await url.inputValue(), 'mqtt://localhost:1883');
    assert.equal(await flagged(page(), '#node-config-input-url'), false);
    await empty(page(), '#node-config-input-url');
    await until(() => flagged(page(), '#node-config-input-url'), 'the empty URL to be flagged');
    await cancelTray(page(), '#node-config-dialog-cancel');
    await cancelTray(page(), '#node-dialog-cancel');
  });

  it('edits birth, close and will on the Messages tab of a connection, and keeps what was saved', async () => {
    const open = async () => {
      await page().locator('#ex2-service > rect').first().dblclick();
      await page().locator('#node-input-btn-connection-edit').click();
      await page().locator('#node-config-dialog-cancel').waitFor();
      await page().locator('.red-ui-tray a[href="#mqtt5-connection-tab-messages"]').last().click();
    };
    const update = async () => {
      await page().locator('#node-config-dialog-ok').click();
      await page().locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
      await cancelTray(page(), '#node-dialog-cancel');
    };
    await open();
    // One group each; only the will has a delay; the details show once a topic is set.
    for (const kind of ['birth', 'close', 'will']) {
      assert.equal(await page().locator(`#mqtt5-connection-${kind}-topic`).count(), 1, kind);
      assert.equal(await page().locator(`#mqtt5-connection-${kind}-payload`).isVisible(), false, kind);
    }
    assert.equal(await page().locator('#mqtt5-connection-will-delay').count(), 1);
    assert.equal(await page().locator('#mqtt5-connection-birth-delay').count(), 0);
    await page().locator('#mqtt5-connection-birth-topic').fill('nr/status');
    await page().locator('#mqtt5-connection-birth-topic').dispatchEvent('change');
    await page().locator('#mqtt5-connection-birth-payload').fill('online');
    await page().locator('#mqtt5-connection-birth-qos').selectOption('1');
    await page().locator('#mqtt5-connection-birth-retain').check();
    await page().locator('#mqtt5-connection-will-topic').fill('nr/status');
    await page().locator('#mqtt5-connection-will-topic').dispatchEvent('change');
    await page().locator('#mqtt5-connection-will-delay').fill('5');
    assert.deepEqual(rawKeys(await trayText(page())), []);
    await update();
    const saved = await inEditor(
      page(),
      `(() => { const n = RED.nodes.node('ex2-conn'); return [n.birth, n.will, n.close]; })()`,
    );
    assert.ok(Array.isArray(saved));
    const [birth, will, close] = saved;
    assert.deepEqual(
      isRecord(birth) ? [birth['topic'], birth['payload'], birth['qos'], birth['retain']] : birth,
      ['nr/status', 'online', '1', true],
    );
    assert.equal(isRecord(will) ? will['delay'] : will, '5');
    assert.deepEqual(close, {});

    // Opened again, the dialog shows what was saved; emptying the topics takes them back out.
    await open();
    assert.equal(await page().locator('#mqtt5-connection-birth-payload').inputValue(), 'online');
    assert.equal(await page().locator('#mqtt5-connection-birth-retain').isChecked(), true);
    assert.equal(await page().locator('#mqtt5-connection-will-delay').inputValue(), '5');
    await empty(page(), '#mqtt5-connection-birth-topic');
    await empty(page(), '#mqtt5-connection-will-topic');
    await update();
    const cleared = await inEditor(
      page(),
      `(() => { const n = RED.nodes.node('ex2-conn'); return [n.birth, n.will]; })()`,
    );
    assert.deepEqual(cleared, [{}, {}]);
  });

  it('runs the request/response example: replies in the Debug sidebar, translated status', async () => {
    await inEditor(page(), `RED.sidebar.show('debug')`);
    const replies = page().locator('.red-ui-debug-msg');
    for (let asked = 1; asked <= 2; asked++) {
      await page().locator('#ex2-inject .red-ui-flow-node-button').click();
      await until(async () => (await replies.count()) >= asked, `reply ${asked} in the Debug sidebar`);
    }
    const texts = await replies.allInnerTexts();
    assert.equal(texts.length, 2);
    for (const text of texts) {
      assert.match(text, /node: Reply\b/);
      assert.match(text, /node-red-mqtt5\/replies\//);
    }
    // Open the last reply down to its payload: the responder's sum.
    const last = replies.last();
    await last.locator('.red-ui-debug-msg-object-handle').first().click();
    await last
      .locator('.red-ui-debug-msg-object-entry:has-text("payload") .red-ui-debug-msg-object-handle')
      .first()
      .click();
    await until(async () => /sum:\s*5\b/.test(await last.innerText()), 'the sum 5 in the reply');

    // The request node's status counts the answers; it may come a moment after the reply.
    const labels = page().locator('#red-ui-workspace-chart .red-ui-flow-node-status-label');
    await until(
      async () => (await labels.allTextContents()).some((text) => /\b2 answered\b/.test(text)),
      'the status "2 answered"',
    );
    const statuses = await labels.allTextContents();
    assert.deepEqual(
      statuses.filter((text) => RAW_KEY.test(text)),
      [],
    );
    assert.ok((await screenshot(page(), scratch, 'request-response.png')) > 10000);
  });

  it('drags one of each node from the palette into a new flow; unconfigured clients are flagged', async () => {
    await page().locator('#red-ui-palette-search input').pressSequentially('mqtt5');
    await until(
      async () => (await page().locator('.red-ui-palette-node:visible').count()) === 4,
      'the filter',
    );
    await inEditor(page(), 'RED.workspaces.add()');
    const chart = page().locator('#red-ui-workspace-chart');
    for (const [index, type] of NODE_TYPES.entries()) {
      await page()
        .locator(`.red-ui-palette-node[data-palette-type="${type}"]`)
        .dragTo(chart, { targetPosition: { x: 320, y: 120 + 80 * index } });
    }
    const added = await inEditor(
      page(),
      `(() => { const z = RED.workspaces.active(); const out = [];
        RED.nodes.eachNode((n) => { if (n.z === z) out.push(n.type + ':' + n.valid); });
        return out.sort(); })()`,
    );
    assert.deepEqual(added, [
      'mqtt5 broker:true',
      'mqtt5 in:false',
      'mqtt5 out:false',
      'mqtt5 request:false',
    ]);
    const triangles = page().locator('#red-ui-workspace-chart .red-ui-flow-node-error:visible');
    await until(async () => (await triangles.count()) === 3, 'three red triangles');
    assert.ok((await screenshot(page(), scratch, 'palette.png')) > 10000);
  });

  it('imports example 6 with its broker users, ACL and listeners intact, as the editor would deploy them', async () => {
    const flow = readExample('06');
    const broker = flow.find((node) => node.type === 'mqtt5 broker');
    assert.ok(broker !== undefined, 'example 6 has an mqtt5 broker node');
    const saved = await inEditor(
      page(),
      `(() => { RED.view.importNodes(${JSON.stringify(flow)}, { generateIds: false });
        const node = RED.nodes.node(${JSON.stringify(broker.id)});
        return node ? JSON.stringify(RED.nodes.convertNode(node)) : ''; })()`,
    );
    assert.equal(typeof saved, 'string');
    const deployed: unknown = JSON.parse(String(saved));
    assert.ok(typeof deployed === 'object' && deployed !== null, 'the imported broker node is missing');
    // Every list of the node (listeners, users, ACL rules) comes through the editor unchanged.
    const lists = Object.keys(broker).filter((key) => Array.isArray(broker[key]) && key !== 'wires');
    assert.ok(lists.length >= 3, `lists of the example's broker: ${lists.join(', ')}`);
    for (const key of lists) assert.deepEqual(Reflect.get(deployed, key), broker[key], `the broker's ${key}`);
  });

  it('logs no console error or warning about the nodes of this package', () => {
    assert.ok(editor !== undefined);
    assert.deepEqual(
      editor.problems.filter((text) => /mqtt5|page error/i.test(text)),
      [],
    );
  });
});
