// Figures for the dashboard's screenshots: real RADIUS logins and accounting (radclient against
// the running server) for this hour, and a week of earlier school hours written into the same
// hourly hashes the server keeps (src/store/stats.ts), so the charts have a shape. Seeded, so
// every run draws the same week.
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { embeddedSocketPath } from '../../src/redis/embedded.js';
import { keys } from '../../src/store/keys.js';
import { HOUR_MS, hourOf, loginField, STATS_RETENTION_SECONDS, trafficField } from '../../src/store/stats.js';

export interface DemoUser {
  username: string;
  password: string;
  mac: string;
  /** Bytes down and up this session has moved. */
  octets: [number, number];
}

export interface DemoOptions {
  dataDir: string;
  authPort: number;
  acctPort: number;
  secret: string;
  school: string;
  /** The school's UTC offset in hours: lessons are 08:00–17:00 local, Monday to Saturday. */
  utcOffset: number;
  users: DemoUser[];
}

function radclient(port: number, type: 'auth' | 'acct', secret: string, attributes: string): string {
  return spawnSync('radclient', ['-x', '-r', '1', '-t', '2', `127.0.0.1:${port}`, type, secret], { input: `${attributes}\n`, encoding: 'utf8' }).stdout;
}

/** Park–Miller: the same week on every run. */
function seeded(seed: number): (low: number, high: number) => number {
  let state = seed;
  return (low, high) => {
    state = (state * 48_271) % 2_147_483_647;
    return low + Math.floor((state / 2_147_483_647) * (high - low + 1));
  };
}

export async function seedDashboard(options: DemoOptions): Promise<void> {
  for (const [index, user] of options.users.entries()) {
    const login = radclient(options.authPort, 'auth', options.secret, `User-Name=${user.username},User-Password=${user.password},Calling-Station-Id=${user.mac},Message-Authenticator=0x00`);
    // Refused (a student outside the school's hours): counted as such, no session.
    const classHex = /Class = (0x[0-9a-f]+)/.exec(login)?.[1];
    if (!classHex) continue;
    const common = `Acct-Session-Id=demo-${index},User-Name=${user.username},Calling-Station-Id=${user.mac},Framed-IP-Address=10.12.0.${100 + index},Class=${classHex}`;
    radclient(options.acctPort, 'acct', options.secret, `Acct-Status-Type=Start,${common}`);
    radclient(options.acctPort, 'acct', options.secret, `Acct-Status-Type=Interim-Update,${common},Acct-Input-Octets=${user.octets[1]},Acct-Output-Octets=${user.octets[0]}`);
  }
  radclient(options.authPort, 'auth', options.secret, `User-Name=${options.users[0]!.username},User-Password=wrong-guess,Message-Authenticator=0x00`);

  const redis = new Redis({ path: embeddedSocketPath(options.dataDir) });
  const random = seeded(12);
  const pipeline = redis.pipeline();
  const thisHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  for (let back = 1; back < 7 * 24; back++) {
    const at = thisHour - back * HOUR_MS;
    const local = new Date(at + options.utcOffset * HOUR_MS);
    if (local.getUTCDay() === 0 || local.getUTCHours() < 8 || local.getUTCHours() > 17) continue;
    const figures: [string, number][] = [
      [loginField('accept', 'student'), random(15, 60)], [loginField('accept', 'teacher'), random(2, 9)],
      [loginField('refuse', 'student'), random(0, 4)], [loginField('failed', undefined), random(0, 3)],
      [trafficField('student'), random(400, 2600) * 1_000_000], [trafficField('teacher'), random(100, 700) * 1_000_000],
    ];
    for (const key of [keys.statsHour(options.school, hourOf(at)), keys.statsHour(undefined, hourOf(at))]) {
      for (const [field, value] of figures) if (value > 0) pipeline.hincrby(key, field, value);
      pipeline.expire(key, STATS_RETENTION_SECONDS);
    }
  }
  await pipeline.exec();
  redis.disconnect();
}
