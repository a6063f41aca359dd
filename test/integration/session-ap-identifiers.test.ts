// A session recorded with a NAS-Identifier is listed only in its AP's set for that identifier (one
// sorted-set membership less per session, docs/scale.md): an Accounting-On of the whole AP, sent
// without NAS-Identifier, still closes it, found through the AP's list of identifier sets.
import { expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { useTestStore } from '../helpers/redis.js';

const db = useTestStore();

const NAS = '10.50.0.0/24';
const record = (sessionId: string, ap: string, nasIdentifier?: string) =>
  db.store.sessions.record({ nas: NAS, nasIp: ap, sessionId, status: 'start', school: 'sch-50', inOctets: 0, outOctets: 0, ...(nasIdentifier === undefined ? {} : { nasIdentifier }) }, Date.now() - 1000);

it("closes, on an AP's Accounting-On without NAS-Identifier, its sessions of every identifier and none, and only those", async () => {
  await record('radio-1', '10.50.0.7', 'ap-7-radio-1');
  await record('radio-2', '10.50.0.7', 'ap-7-radio-2');
  await record('plain', '10.50.0.7');
  await record('other-ap', '10.50.0.8', 'ap-8-radio-1');
  expect(await db.redis.zrange(keys.sessionsOfAp(NAS, '10.50.0.7'), 0, -1)).toEqual([`${NAS}|10.50.0.7|plain`]);
  expect(await db.redis.zrange(keys.sessionsOfAp(NAS, '10.50.0.7', 'ap-7-radio-1'), 0, -1)).toEqual([`${NAS}|10.50.0.7|radio-1`]);

  expect(await db.store.sessions.closeAccessPoint({ nas: NAS, ap: '10.50.0.7' }, Date.now(), 'NAS-Reboot')).toEqual({ closed: 3, joined: false });
  expect((await db.store.sessions.list()).map((session) => session.sessionId)).toEqual(['other-ap']);
  expect(await db.redis.xlen(keys.sessionLog)).toBe(3);
});

it('closes, on an Accounting-On with NAS-Identifier, only the sessions of that identifier', async () => {
  await record('radio-1b', '10.50.0.9', 'ap-9-radio-1');
  await record('radio-2b', '10.50.0.9', 'ap-9-radio-2');
  expect(await db.store.sessions.closeAccessPoint({ nas: NAS, ap: '10.50.0.9', nasIdentifier: 'ap-9-radio-2' }, Date.now(), 'NAS-Reboot')).toEqual({ closed: 1, joined: false });
  expect((await db.store.sessions.list({ school: 'sch-50' })).map((session) => session.sessionId).sort()).toEqual(['other-ap', 'radio-1b']);
});
