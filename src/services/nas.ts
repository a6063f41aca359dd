// NAS clients (access points, controllers): region-wide principals manage all, a school admin
// only its school's — another school's NAS is answered as if it did not exist.
import { randomBytes } from 'node:crypto';
import { parseNasAddress } from '../store/address.js';
import { summarize, type NasClient, type NasSettings, type NasStore, type NasSummary, type Vendor } from '../store/nas.js';
import { allow, auditOf, MANAGERS, requireInScope, schoolFor, type Principal } from './principal.js';

export interface NasServiceDeps {
  nas: Pick<NasStore, 'get' | 'list' | 'add' | 'update' | 'remove'>;
  /** When each NAS last sent RADIUS traffic (epoch ms by address); absent: never known. */
  stats?: { lastSeen(): Promise<Record<string, number>> };
}

/** A shared secret for a new NAS: 32 characters, well above RFC 2865's 16 octets. */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

const missing = (address: string) => `NAS ${parseNasAddress(address).text} does not exist`;

export function createNasService({ nas, stats }: NasServiceDeps) {
  async function inScope(principal: Principal, address: string): Promise<NasClient> {
    allow(principal, MANAGERS, 'manage access points');
    return requireInScope(principal, await nas.get(address), missing(address));
  }

  return {
    async list(principal: Principal): Promise<NasSummary[]> {
      allow(principal, MANAGERS, 'list access points');
      const school = schoolFor(principal, undefined, 'list access points');
      return (await nas.list()).filter((client) => school === undefined || client.school === school).map(summarize);
    },

    /** When each NAS in scope was last heard (epoch ms by address); a NAS never heard is absent. */
    async lastSeen(principal: Principal): Promise<Record<string, number>> {
      allow(principal, MANAGERS, 'list access points');
      const school = schoolFor(principal, undefined, 'list access points');
      const all = (await stats?.lastSeen()) ?? {};
      if (school === undefined) return all;
      const own = new Set((await nas.list()).filter((client) => client.school === school).map((client) => client.address));
      return Object.fromEntries(Object.entries(all).filter(([address]) => own.has(address)));
    },

    /** With its secret: for the configuration snippet of the NAS itself. */
    get: inScope,

    /** Without a secret, one is generated and returned once (`secret`). */
    async add(principal: Principal, address: string, settings: Omit<NasSettings, 'vendor' | 'secret'> & { vendor: Vendor; secret?: string }): Promise<{ nas: NasSummary; secret?: string }> {
      allow(principal, MANAGERS, 'add access points');
      const school = schoolFor(principal, settings.school, 'add access points');
      const generated = settings.secret === undefined ? generateSecret() : undefined;
      const added = await nas.add(address, { ...settings, ...(school ? { school } : {}), secret: settings.secret ?? generated! }, auditOf(principal));
      return { nas: summarize(added), ...(generated ? { secret: generated } : {}) };
    },

    async set(principal: Principal, address: string, settings: NasSettings): Promise<NasSummary> {
      await inScope(principal, address);
      if (settings.school !== undefined) schoolFor(principal, settings.school, 'move access points');
      return summarize(await nas.update(address, settings, auditOf(principal)));
    },

    async remove(principal: Principal, address: string): Promise<string> {
      const target = await inScope(principal, address);
      await nas.remove(target.address, auditOf(principal));
      return target.address;
    },
  };
}

export type NasService = ReturnType<typeof createNasService>;
