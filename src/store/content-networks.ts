// Networks mapped to a school and a content profile: what the filter applies to an address
// that has no RADIUS session (a NATed classroom, a wired lab). One hash, CIDR → JSON.
import type { Redis } from 'ioredis';
import { NotFoundError } from '../errors.js';
import { parseNasAddress } from './address.js';
import { keys } from './keys.js';
import { slug } from './validate.js';
import { writeOne } from './write.js';

export interface ContentNetwork {
  /** Canonical CIDR ("10.20.0.0/16") or single address. */
  network: string;
  school: string;
  profile: string;
}

export function createContentNetworkStore(redis: Redis, requireSchool: (id: string) => Promise<unknown>) {
  return {
    async list(): Promise<ContentNetwork[]> {
      const hash = await redis.hgetall(keys.contentNetworks);
      return Object.entries(hash)
        .map(([network, json]) => ({ network, ...(JSON.parse(json) as { school: string; profile: string }) }))
        .sort((a, b) => a.network.localeCompare(b.network));
    },

    async add(cidr: string, school: string, profile: string, actor: string): Promise<ContentNetwork> {
      const network = parseNasAddress(cidr).text;
      await requireSchool(school);
      const entry = { school, profile: slug(profile, 'content profile name') };
      await writeOne(redis, {
        key: keys.contentNetworks,
        mode: 'upsert',
        set: { [network]: JSON.stringify(entry) },
        audit: { actor, action: 'content.network.add', target: network, school, detail: entry },
        change: { entity: 'content-network', id: network },
      });
      return { network, ...entry };
    },

    async remove(cidr: string, actor: string): Promise<void> {
      const network = parseNasAddress(cidr).text;
      const mapped = await redis.hget(keys.contentNetworks, network);
      if (mapped === null) throw new NotFoundError(`network ${network} is not mapped`);
      const { school } = JSON.parse(mapped) as { school: string };
      await writeOne(redis, {
        key: keys.contentNetworks,
        mode: 'update',
        unset: [network],
        audit: { actor, action: 'content.network.remove', target: network, school },
        change: { entity: 'content-network', id: network },
      });
    },
  };
}

export type ContentNetworkStore = ReturnType<typeof createContentNetworkStore>;
