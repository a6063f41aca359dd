// `user forget` takes out of the audit stream only the entries that name the person (review
// finding 3): a username that is also a common value (a Disconnect outcome, a role, a school id)
// leaves everyone else's history alone, while the person's own entries still go.
import { beforeEach, expect, it } from 'vitest';
import { useTestStore } from '../helpers/redis.js';

const db = useTestStore();
beforeEach(() => db.redis.flushdb());

/** Other people's history whose values happen to be 'ack', 'student' and 'sch1'. */
async function unrelatedHistory(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await db.store.audit.record({ actor: 'account:admin1', action: 'session.disconnect', target: `10.0.0.1|S${i}`, detail: { reason: 'kicked', outcome: 'ack', user: `pupil${i}`, nas: '10.0.0.1' } });
    await db.store.audit.record({ actor: 'account:admin1', action: 'policy.set', target: 'student', school: 'sch1', detail: { set: { role: 'student' }, clear: [] } });
  }
}

async function addUser(username: string): Promise<void> {
  await db.redis.hset(`mk:user:${username}`, { username, role: 'student' });
  await db.redis.sadd('mk:users', username);
}

it.each(['ack', 'student', 'sch1'])('forgetting "%s" keeps the 20 unrelated entries that hold that word', async (username) => {
  await unrelatedHistory();
  await addUser(username);
  const forgotten = await db.store.forget(username, 'cli:root');
  expect(forgotten.auditEntries).toBe(0);
  expect(await db.redis.xlen('mk:audit')).toBe(21);
});

it("still removes the person's own entries: about them, their devices, their sessions, from their devices", async () => {
  const mac = '02:00:5e:14:03:01';
  await unrelatedHistory();
  await addUser('student');
  await db.redis.hset(`mk:device:${encodeURIComponent(mac)}`, { mac, user: 'student', role: 'student' });
  // The entries users.ts and devices.ts write with them.
  await db.store.audit.record({ actor: 'account:admin1', action: 'user.add', target: 'student', school: 'sch1', detail: { role: 'student' } });
  await db.store.audit.record({ actor: 'account:admin1', action: 'device.add', target: mac, detail: { role: 'student', user: 'student' } });
  await db.store.audit.record({ actor: 'account:admin1', action: 'session.disconnect', target: '10.0.0.1|S99', detail: { reason: 'kicked', outcome: 'ack', user: 'student', nas: '10.0.0.1' } });
  await db.store.audit.record({ actor: `portal:${mac}`, action: 'site-request.create', target: 'r1', school: 'sch1', detail: { domain: 'games.example' } });
  await db.store.audit.record({ actor: 'account:teacher1', action: 'guest.approve', target: 'g1', school: 'sch1', detail: { mac, sponsor: 'teacher1' } });

  const forgotten = await db.store.forget('student', 'cli:root');
  expect(forgotten.auditEntries).toBe(5);
  const left = (await db.store.audit.list({ count: 100 })).filter((entry) => entry.action !== 'user.forget');
  expect(left).toHaveLength(20);
  expect(JSON.stringify(left)).not.toContain(mac);
});
