/** The part of node-red-node-test-helper 0.3.x these tests use; the package ships no types. */
declare module 'node-red-node-test-helper' {
  /** One node of a test flow, as in flows.json. */
  interface FlowNode {
    id: string;
    type: string;
    wires?: string[][];
    [property: string]: unknown;
  }

  interface NodeTestHelper {
    init(runtimePath: string, userSettings?: Record<string, unknown>): void;
    /** Registers the node modules (each called with `RED`) and starts the flow. */
    load(
      nodes: ((red: never) => void) | ((red: never) => void)[],
      flow: FlowNode[],
      credentials?: Record<string, Record<string, unknown>>,
    ): Promise<void>;
    /** Stops the flow: resolves once every node's close handler has called done. */
    unload(): Promise<void>;
    /** Merges runtime settings (e.g. `userDir`) into the defaults for the next load. */
    settings(userSettings: Record<string, unknown>): Record<string, unknown>;
    getNode(id: string): unknown;
    /** Starts Node-RED's HTTP server (`RED.server`) on 127.0.0.1 and a free port. */
    startServer(): Promise<void>;
    stopServer(): Promise<void>;
    url(): string;
    /** The sinon spy on `RED.log.log` of the flow loaded last. */
    log(): unknown;
  }

  const helper: NodeTestHelper;
  export = helper;
}
