// The server's in-memory view of registered and remembered devices. MAC authentication of
// returning devices is the bulk of RADIUS traffic; answering it from memory saves a Redis round
// trip per request. A region has ~400,000 devices: the directory loads them in pages on the
// management connection (no command or pipeline is big, and RADIUS's connection keeps its tight
// bound), in the background, while MAC authentication of a device not yet in memory asks Redis.
// Each change announced on the change feed refreshes just the changed devices, in pages however
// many there are; a reconnect (resync) loads them all again, swapped in whole when complete.
// Redis expires a remembered device without announcing it, so expired entries are swept here
// (once a minute, by a timer, not by a request): otherwise every device ever remembered would
// stay in memory. Each
// entry keeps only what MAC authentication decides with, role and school names shared: about
// half the heap of a whole Device (docs/scale.md).
import type { Logger } from 'pino';
import type { ChangeFeed } from './changes.js';
import type { Device, DeviceStore } from './devices.js';

/** Devices read per SSCAN page or per pipeline of changed devices. */
const DEVICE_PAGE = 1000;
const SWEEP_EVERY_MS = 60_000;
const RETRY_MS = 2000;

/** What MAC authentication needs of a device (access.ts), and no more. */
export interface KnownDevice {
  role: string;
  school: string | undefined;
  user: string | undefined;
  /** Epoch ms the device is remembered until: compared on every MAC authentication, parsed once. */
  until: number | undefined;
}

export interface DeviceDirectory {
  /** The same answer as find() once loaded; while loading, a device not in memory is read from Redis. */
  get(mac: string): Promise<KnownDevice | undefined>;
  /** From memory, at once: MAC authentication needs no promise for a lookup in memory. Before
   * loaded() a miss proves nothing: ask get(). */
  find(mac: string): KnownDevice | undefined;
  /** True once every registered device has been read (the first load is complete). */
  loaded(): boolean;
  /** Resolves true when the first load completes within `ms`, false otherwise. */
  loadedWithin(ms: number): Promise<boolean>;
  size(): number;
  close(): void;
}

interface DeviceDirectoryOptions {
  /** On RADIUS's connection (bounded commands): a device not yet in memory while loading. */
  lookup: Pick<DeviceStore, 'get'>;
  /** On the management connection: pages of the index, and the devices a change names. One
   * connection answers in order, so a refresh never lands before an older page's read. */
  bulk: Pick<DeviceStore, 'page' | 'getMany'>;
  feed: ChangeFeed;
  log: Pick<Logger, 'info'>;
  onError: (error: unknown) => void;
  now?: () => number;
  /** How often expired devices are let go (a test sets it short). */
  sweepEveryMs?: number;
}

const expired = (device: KnownDevice, now: number) => device.until !== undefined && device.until <= now;

export function createDeviceDirectory({ lookup, bulk, feed, log, onError, now = Date.now, sweepEveryMs = SWEEP_EVERY_MS }: DeviceDirectoryOptions): DeviceDirectory {
  let byMac = new Map<string, KnownDevice>();
  /** One string per role and school name, not one per device; renewed with every full load. */
  let names = new Map<string, string>();
  function named(name: string): string {
    const shared = names.get(name);
    if (shared !== undefined) return shared;
    names.set(name, name);
    return name;
  }
  const known = (device: Device): KnownDevice => ({
    role: named(device.role), school: device.school === undefined ? undefined : named(device.school), user: device.user,
    until: device.until === undefined ? undefined : Date.parse(device.until),
  });
  let loaded = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  /** While a load runs: the devices changed meanwhile, read again before it is swapped in (its
   * page may have read them before the change). */
  let changedDuringLoad: Set<string> | undefined;
  let loadAgain = false;
  let markLoaded: () => void = () => undefined;
  const firstLoad = new Promise<void>((resolve) => (markLoaded = resolve));

  // Unref'd: the sweep never keeps the process alive; close() stops it.
  const sweeper = setInterval(() => {
    const at = now();
    for (const [mac, device] of byMac) if (expired(device, at)) byMac.delete(mac);
  }, sweepEveryMs).unref();

  /** Reads `macs` a page at a time into `into()` (the map current when each page arrives). */
  async function readInto(macs: string[], into: () => Map<string, KnownDevice>): Promise<void> {
    for (let start = 0; start < macs.length && !closed; start += DEVICE_PAGE) {
      const page = macs.slice(start, start + DEVICE_PAGE);
      const found = await bulk.getMany(page);
      const map = into();
      page.forEach((mac, index) => {
        const device = found[index];
        if (device) map.set(mac, known(device));
        else map.delete(mac);
      });
    }
  }

  async function load(): Promise<void> {
    const started = performance.now();
    const next = new Map<string, KnownDevice>();
    names = new Map();
    const changed = new Set<string>();
    changedDuringLoad = changed;
    let cursor = '0';
    do {
      const page = await bulk.page(cursor, DEVICE_PAGE);
      if (closed) return;
      cursor = page.cursor;
      for (const device of page.devices) next.set(device.mac, known(device));
    } while (cursor !== '0');
    while (changed.size > 0 && !closed) {
      const macs = [...changed];
      changed.clear();
      await readInto(macs, () => next);
    }
    // Swapped in whole, with no await since the last check: no request sees a half-loaded map.
    byMac = next;
    changedDuringLoad = undefined;
    log.info({ devices: next.size, ms: Math.round(performance.now() - started), first: !loaded }, 'device directory loaded');
    if (!loaded) markLoaded();
    loaded = true;
  }

  function reload(): void {
    if (closed) return;
    if (changedDuringLoad) {
      loadAgain = true;
      return;
    }
    load().then(() => {
      if (!loadAgain) return;
      loadAgain = false;
      reload();
    }, (error: unknown) => {
      changedDuringLoad = undefined;
      onError(error);
      retry = setTimeout(reload, RETRY_MS);
    });
  }

  feed.on('change', (changes) => {
    const macs = changes.filter((change) => change.entity === 'device').map((change) => change.id);
    if (macs.length === 0) return;
    for (const mac of macs) changedDuringLoad?.add(mac);
    void readInto(macs, () => byMac).catch(onError);
  });
  feed.on('resync', reload);
  reload();

  // Redis expires a device at its end date without announcing it: check the date here too.
  function find(mac: string): KnownDevice | undefined {
    const device = byMac.get(mac);
    return device && !expired(device, now()) ? device : undefined;
  }

  return {
    get: async (mac) => {
      const device = find(mac);
      if (device || loaded) return device;
      const stored = await lookup.get(mac);
      return stored && known(stored);
    },
    find,
    loaded: () => loaded,
    loadedWithin: async (ms) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
      try {
        return await Promise.race([firstLoad.then(() => true), late]);
      } finally {
        clearTimeout(timer);
      }
    },
    size: () => byMac.size,
    close: () => {
      closed = true;
      clearTimeout(retry);
      clearInterval(sweeper);
    },
  };
}
