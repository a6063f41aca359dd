// `mektep content` as an admin types it: profiles with school overrides, networks, categories,
// refusals that say what to fix, and the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(args, env);

beforeAll(async () => {
  server = await startTestRedis();
  env = { REDIS_URL: server.url };
  expect((await cli('school', 'add', 'sch-7', '--name', 'School 7')).code).toBe(0);
});
afterAll(async () => {
  await server.close();
});

describe('mektep content profile', () => {
  it('shows the built-ins without configuration, and a school override marked field by field', async () => {
    const safe = await cli('content', 'profile', 'show', 'safe');
    expect(safe.stdout).toContain('safe [built-in]');
    expect(safe.stdout).toMatch(/block-categories: adult, malware, phishing\n/);
    expect(safe.stdout).toMatch(/youtube: +moderate\n/);
    expect((await cli('content', 'profile', 'set', 'safe', '--school', 'sch-7', '--youtube', 'strict', '--block-domains', 'tiktok.com,*.Roblox.com')).code).toBe(0);
    const override = (await cli('content', 'profile', 'show', 'safe', '--school', 'sch-7')).stdout;
    expect(override).toMatch(/youtube: +strict \*/);
    expect(override).toMatch(/block-domains: +tiktok\.com, roblox\.com \*/);
    expect(override).toMatch(/safesearch: +on\n/);
    expect((await cli('content', 'profile', 'show', 'safe')).stdout).toMatch(/youtube: +moderate\n/);
    expect(JSON.parse((await cli('content', 'profile', 'list', '--json')).stdout)).toEqual(['malware-only', 'safe', 'safe@sch-7']);
  });

  it('refuses bad values and unknown schools with a line that says what to fix', async () => {
    const youtube = await cli('content', 'profile', 'set', 'safe', '--youtube', 'loud');
    expect([youtube.code, youtube.stderr]).toEqual([1, expect.stringContaining('--youtube takes strict, moderate, off')]);
    const domain = await cli('content', 'profile', 'set', 'exam', '--allow-domains', 'exam site');
    expect(domain.stderr).toContain('"exam site" is not a domain name');
    const school = await cli('content', 'profile', 'set', 'exam', '--school', 'nowhere', '--allow-only', 'yes');
    expect(school.stderr).toMatch(/school "nowhere"/);
    const nothing = await cli('content', 'profile', 'set', 'exam');
    expect(nothing.stderr).toContain('nothing to change');
    expect((await cli('content', 'profile', 'show', 'exam')).stdout).toBe('exam is not defined: roles and networks that name it get "safe"\n');
  });

  it('removes an override (the region-wide profile applies again) and says when there is none', async () => {
    expect((await cli('content', 'profile', 'remove', 'safe', '--school', 'sch-7')).code).toBe(0);
    expect((await cli('content', 'profile', 'show', 'safe', '--school', 'sch-7')).stdout).toMatch(/youtube: +moderate\n/);
    const again = await cli('content', 'profile', 'remove', 'safe', '--school', 'sch-7');
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('"safe@sch-7" is not stored')]);
  });

  it('maps networks by their canonical CIDR and refuses a block with host bits', async () => {
    expect((await cli('content', 'network', 'add', '10.20.0.0/16', '--school', 'sch-7', '--profile', 'safe')).stdout).toContain('10.20.0.0/16 → school sch-7, profile safe');
    expect((await cli('content', 'network', 'add', '10.20.1.0/16', '--school', 'sch-7', '--profile', 'safe')).stderr).toContain('bits set after the /16 prefix');
    expect(JSON.parse((await cli('content', 'network', 'list', '--json')).stdout)).toEqual([{ network: '10.20.0.0/16', school: 'sch-7', profile: 'safe' }]);
    expect((await cli('content', 'network', 'remove', '10.20.0.0/16')).code).toBe(0);
    expect((await cli('content', 'network', 'remove', '10.20.0.0/16')).stderr).toContain('not mapped');
  });

  it('lists and removes categories', async () => {
    expect((await cli('content', 'import', 'malware', 'config/content/malware.txt')).stdout).toMatch(/^malware: 9 lines read, 5 domains kept, 0 duplicates, 0 lines refused; 5 domains in the category$/m);
    expect((await cli('content', 'import', 'malware', 'config/content/malware.txt')).stdout).toContain('0 domains kept, 5 duplicates');
    expect((await cli('content', 'categories')).stdout).toMatch(/malware +5 /);
    expect((await cli('content', 'category', 'remove', 'malware')).code).toBe(0);
    expect((await cli('content', 'categories')).stdout).toBe('(none)\n');
  });

  it('leaves an audit entry for every change, with the school it belongs to', async () => {
    const entries = await server.client().xrange('mk:audit', '-', '+');
    const actions = entries.map(([, fields]) => fields[fields.indexOf('action') + 1]);
    expect(actions).toEqual(expect.arrayContaining(['content.profile.set', 'content.profile.remove', 'content.network.add', 'content.network.remove', 'content.import', 'content.category.remove']));
    const override = entries.find(([, fields]) => fields.includes('content.profile.set'))![1];
    expect(override[override.indexOf('school') + 1]).toBe('sch-7');
  });
});
