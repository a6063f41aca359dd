// The server's in-memory view of registered and remembered devices. MAC authentication of
// returning devices is the bulk of RADIUS traffic; answering it from memory saves a Redis round
// trip per request. Each change announced on the change feed refreshes that device; a large
// batch (a fleet import) or a reconnect reloads them all.
import type { ChangeFeed } from './changes.js';
import type { Device, DeviceStore } from './devices.js';

const RELOAD_ABOVE = 200;

export interface DeviceDirectory {
  get(mac: string): Promise<Device | undefined>;
  size(): number;
}

export async function createDeviceDirectory(devices: Pick<DeviceStore, 'list' | 'get'>, feed: ChangeFeed, onError: (error: unknown) => void): Promise<DeviceDirectory> {
  let byMac = new Map<string, Device>();

  async function reload(): Promise<void> {
    byMac = new Map((await devices.list()).map((device) => [device.mac, device]));
  }

  async function refresh(mac: string): Promise<void> {
    const device = await devices.get(mac);
    if (device) byMac.set(mac, device);
    else byMac.delete(mac);
  }

  feed.on('change', (changes) => {
    const macs = changes.filter((change) => change.entity === 'device').map((change) => change.id);
    if (macs.length > RELOAD_ABOVE) void reload().catch(onError);
    else for (const mac of macs) void refresh(mac).catch(onError);
  });
  feed.on('resync', () => void reload().catch(onError));
  await reload();

  return {
    // Redis expires a device at its end date without announcing it: check the date here too.
    get: async (mac) => {
      const device = byMac.get(mac);
      return device && !(device.until && Date.parse(device.until) <= Date.now()) ? device : undefined;
    },
    size: () => byMac.size,
  };
}
