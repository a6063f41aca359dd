// The device directory every Mektep instance holds, built in the bench's own process over the
// same Redis with the server's own code (createDeviceDirectory): how long its load takes and
// how many bytes of V8 heap it keeps per device, measured after full garbage collections.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ChangeFeed } from '../../src/store/changes.js';
import { createDeviceDirectory } from '../../src/store/device-directory.js';
import type { Store } from '../../src/store/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** No changes while measuring: the directory is only loaded. */
const quiet: ChangeFeed = { on: () => undefined, close: () => Promise.resolve() };

const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

export async function measureDirectory(store: Store): Promise<{ devices: number; loadMs: number; heapBytes: number }> {
  const before = heapAfterGc();
  const started = performance.now();
  const directory = createDeviceDirectory({ lookup: store.devices, bulk: store.devices, feed: quiet, log: { info: () => undefined }, onError: (error) => {
    throw error;
  } });
  if (!(await directory.loadedWithin(10 * 60_000))) throw new Error('the device directory did not load within 10 minutes');
  directory.close();
  const loadMs = performance.now() - started;
  const heapBytes = heapAfterGc() - before;
  // Kept reachable until here, so the heap figure counts it.
  return { devices: directory.size(), loadMs, heapBytes };
}
