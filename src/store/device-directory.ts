// The server's in-memory view of registered and remembered devices. MAC authentication of
// returning devices is the bulk of RADIUS traffic; answering it from memory saves a Redis round
// trip per request. Each change announced on the change feed refreshes that device; a large
// batch (a fleet import) or a reconnect reloads them all. Redis expires a remembered device
// without announcing it, so expired entries are swept here (at most once a minute): otherwise
// every device ever remembered would stay in memory until the next restart.
import type { ChangeFeed } from './changes.js';
import type { Device, DeviceStore } from './devices.js';

const RELOAD_ABOVE = 200;
const SWEEP_EVERY_MS = 60_000;

export interface DeviceDirectory {
  get(mac: string): Promise<Device | undefined>;
  /** The same answer as get(), at once: MAC authentication needs no promise for a lookup in memory. */
  find(mac: string): Device | undefined;
  size(): number;
}

const expired = (device: Device, now: number) => device.until !== undefined && Date.parse(device.until) <= now;

export async function createDeviceDirectory(
  devices: Pick<DeviceStore, 'list' | 'get'>, feed: ChangeFeed, onError: (error: unknown) => void, now: () => number = Date.now,
): Promise<DeviceDirectory> {
  let byMac = new Map<string, Device>();
  let sweptAt = now();

  function sweep(): void {
    if (now() - sweptAt < SWEEP_EVERY_MS) return;
    sweptAt = now();
    for (const [mac, device] of byMac) if (expired(device, sweptAt)) byMac.delete(mac);
  }

  async function reload(): Promise<void> {
    byMac = new Map((await devices.list()).map((device) => [device.mac, device]));
  }

  async function refresh(mac: string): Promise<void> {
    const device = await devices.get(mac);
    if (device) byMac.set(mac, device);
    else byMac.delete(mac);
  }

  feed.on('change', (changes) => {
    sweep();
    const macs = changes.filter((change) => change.entity === 'device').map((change) => change.id);
    if (macs.length > RELOAD_ABOVE) void reload().catch(onError);
    else for (const mac of macs) void refresh(mac).catch(onError);
  });
  feed.on('resync', () => void reload().catch(onError));
  await reload();

  // Redis expires a device at its end date without announcing it: check the date here too.
  function find(mac: string): Device | undefined {
    sweep();
    const device = byMac.get(mac);
    return device && !expired(device, now()) ? device : undefined;
  }

  return {
    get: async (mac) => find(mac),
    find,
    size: () => byMac.size,
  };
}
