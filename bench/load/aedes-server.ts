import { createServer } from 'node:net';
import { Aedes } from 'aedes';

/**
 * aedes 1.x as the benchmark runs it: the default in-memory persistence, one `net` server on
 * 127.0.0.1 handing each socket to `aedes.handle`, and nothing else.
 *
 * Usage: node aedes-server.js <port>
 */
async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  server.listen(port, '127.0.0.1', () => console.log(`aedes listening on 127.0.0.1:${port}`));
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
