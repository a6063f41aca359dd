import { describe, expect, it } from 'vitest';
import { checkPassword, createPasswordScheduler, generatePassword, hashPassword, PasswordBusyError, RADIUS_LANE, verifyPassword } from '../../src/security/password.js';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('Alma-Ata 1927');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(stored).not.toContain('Alma');
    await expect(verifyPassword('Alma-Ata 1927', stored)).resolves.toBe(true);
    await expect(verifyPassword('alma-ata 1927', stored)).resolves.toBe(false);
    await expect(verifyPassword('x', 'plain-text')).resolves.toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('treats composed and decomposed letters as the same password (Й typed either way)', async () => {
    const composed = 'Йогурт-2026';
    const decomposed = 'И\u0306огурт-2026';
    expect(composed).not.toBe(decomposed);
    const stored = await hashPassword(composed);
    await expect(verifyPassword(decomposed, stored)).resolves.toBe(true);
  });

  it('generates passwords without look-alike characters', () => {
    const passwords = Array.from({ length: 200 }, () => generatePassword());
    expect(new Set(passwords).size).toBe(200);
    for (const password of passwords) expect(password).toMatch(/^[a-km-np-zA-HJ-NP-Z2-9]{10}$/);
  });
});

describe('checkPassword', () => {
  it('does a full scrypt check for an unknown user and answers false', async () => {
    const stored = await hashPassword('right');
    await expect(checkPassword('right', stored)).resolves.toBe(true);
    await expect(checkPassword('wrong', stored)).resolves.toBe(false);
    // The dummy hash costs what a real one does: within a generous factor of a real check.
    const time = async (work: () => Promise<unknown>) => {
      const start = performance.now();
      for (let i = 0; i < 5; i++) await work();
      return performance.now() - start;
    };
    const known = await time(() => checkPassword('wrong', stored));
    const unknown = await time(() => checkPassword('wrong', undefined));
    expect(unknown).toBeGreaterThan(known / 4);
    await expect(checkPassword('', undefined)).resolves.toBe(false);
  });
});

describe('password scheduler', () => {
  const limits = { slots: 2, sharedSlots: 1, perClient: 2, portalQueue: 3, radiusQueue: 2 };
  function gate() {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, work: () => opened };
  }

  it('keeps a slot for RADIUS: portal work never fills the pool', async () => {
    const scheduler = createPasswordScheduler(limits);
    const portal = [gate(), gate()];
    const portalDone = portal.map((g, i) => scheduler.run({ kind: 'portal', client: `10.0.0.${i}` }, g.work));
    await Promise.resolve();
    expect(scheduler.stats()).toMatchObject({ running: 1, sharedRunning: 1, portalWaiting: 1 });
    const radius = gate();
    const radiusDone = scheduler.run(RADIUS_LANE, radius.work);
    await Promise.resolve();
    expect(scheduler.stats()).toMatchObject({ running: 2, sharedRunning: 1 });
    radius.open();
    await radiusDone;
    for (const g of portal) g.open();
    await Promise.all(portalDone);
    expect(scheduler.stats()).toEqual({ running: 0, sharedRunning: 0, radiusWaiting: 0, portalWaiting: 0, managementWaiting: 0, clients: 0 });
  });

  it('serves waiting RADIUS checks before waiting portal checks', async () => {
    const scheduler = createPasswordScheduler({ ...limits, sharedSlots: 2 });
    const order: string[] = [];
    const first = [gate(), gate()];
    const busy = first.map((g) => scheduler.run(RADIUS_LANE, g.work));
    const portal = scheduler.run({ kind: 'portal', client: 'a' }, async () => void order.push('portal'));
    const radius = scheduler.run(RADIUS_LANE, async () => void order.push('radius'));
    first[0]!.open();
    await Promise.all([busy[0], radius]);
    first[1]!.open();
    await Promise.all([...busy, portal]);
    expect(order).toEqual(['radius', 'portal']);
  });

  it('refuses a client past its cap and the portal queue past its bound, at once', async () => {
    const scheduler = createPasswordScheduler(limits);
    const held = gate();
    const a = [scheduler.run({ kind: 'portal', client: 'a' }, held.work), scheduler.run({ kind: 'portal', client: 'a' }, held.work)];
    await expect(scheduler.run({ kind: 'portal', client: 'a' }, held.work)).rejects.toBeInstanceOf(PasswordBusyError);
    const others = [scheduler.run({ kind: 'portal', client: 'b' }, held.work), scheduler.run({ kind: 'portal', client: 'c' }, held.work)];
    await Promise.resolve();
    expect(scheduler.stats().portalWaiting).toBe(3);
    await expect(scheduler.run({ kind: 'portal', client: 'd' }, held.work)).rejects.toBeInstanceOf(PasswordBusyError);
    held.open();
    await Promise.all([...a, ...others]);
    expect(scheduler.stats().clients).toBe(0);
  });

  it('runs management work (hashing for imports) in the shared slots only, after portal checks, and never refuses it', async () => {
    const scheduler = createPasswordScheduler(limits);
    const order: string[] = [];
    const first = gate();
    const holding = scheduler.run({ kind: 'management' }, first.work);
    // Far more than any queue bound: management work waits, it is not refused.
    const imports = Array.from({ length: 50 }, (_, i) => scheduler.run({ kind: 'management' }, async () => void order.push(`import-${i}`)));
    const portal = scheduler.run({ kind: 'portal', client: 'a' }, async () => void order.push('portal'));
    const radius = gate();
    const radiusDone = scheduler.run(RADIUS_LANE, radius.work);
    await Promise.resolve();
    // The import holds the one shared slot; RADIUS still got the other at once.
    expect(scheduler.stats()).toMatchObject({ running: 2, sharedRunning: 1, managementWaiting: 50, portalWaiting: 1 });
    radius.open();
    await radiusDone;
    first.open();
    await Promise.all([holding, portal, ...imports]);
    expect(order[0]).toBe('portal');
    expect(order).toHaveLength(51);
  });
});
