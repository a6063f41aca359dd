// The server's in-memory view of NAS clients, so finding the NAS of a RADIUS packet costs no
// Redis round trip. Reloaded whenever a NAS changes anywhere (change feed) or after a reconnect.
import { createAddressMatcher, parseNasAddress } from './address.js';
import type { ChangeFeed } from './changes.js';
import { loginUrlCovers, type NasClient, type NasStore } from './nas.js';

export interface NasDirectory {
  find(ip: string): NasClient | undefined;
  /** By the vendor's own name for it (NAS-Identifier, Chilli nasid, MikroTik identity, UniFi site). */
  byNasId(nasId: string | undefined): NasClient | undefined;
  /** The NAS clients whose configured portal login URL covers this one. */
  byLoginUrl(url: URL): NasClient[];
  size(): number;
  reload(): Promise<void>;
}

export async function createNasDirectory(nasStore: Pick<NasStore, 'list'>, feed: ChangeFeed, onError: (error: unknown) => void): Promise<NasDirectory> {
  let byAddress = new Map<string, NasClient>();
  let byNasId = new Map<string, NasClient>();
  let withLoginUrl: NasClient[] = [];
  let match: (ip: string) => string | undefined = () => undefined;

  async function reload(): Promise<void> {
    const list = await nasStore.list();
    byAddress = new Map(list.map((nas) => [nas.address, nas]));
    byNasId = new Map(list.filter((nas) => nas.nasId).map((nas) => [nas.nasId!, nas]));
    withLoginUrl = list.filter((nas) => nas.loginUrl);
    match = createAddressMatcher(list.map((nas) => parseNasAddress(nas.address)));
  }

  const reloadQuietly = () => void reload().catch(onError);
  feed.on('change', (changes) => {
    if (changes.some((change) => change.entity === 'nas')) reloadQuietly();
  });
  feed.on('resync', reloadQuietly);
  await reload();

  return {
    find(ip) {
      const address = match(ip);
      return address === undefined ? undefined : byAddress.get(address);
    },
    byNasId: (nasId) => (nasId === undefined ? undefined : byNasId.get(nasId)),
    byLoginUrl: (url) => withLoginUrl.filter((nas) => loginUrlCovers(nas.loginUrl!, url)),
    size: () => byAddress.size,
    reload,
  };
}
