// The RADIUS traffic of the scale run, over the paced generator in load.ts: the live sessions
// set up the way access points make them (MAC authentication, then Accounting-Start echoing the
// Access-Accept's Class), and the region's morning peak — MAC authentication of returning
// devices beside accounting (mostly Interim-Update, some Stop and Start) at fixed rates.
import type { EncodableAttribute } from 'radius';
import { createHash } from 'node:crypto';
import { loadDictionaries } from '../../src/radius-wire/dictionary.js';
import { runLoad, type LoadResult } from './load.js';
import { attributeOf, macAuthTemplate } from './packets.js';
import { schoolOf } from './scale-state.js';

const CLASS = 25;
const ACCESS_ACCEPT = 2;

export interface Region {
  macs: string[];
  schools: number;
  secret: string;
}

export interface LiveSession {
  device: number;
  className: Buffer;
  generation: number;
  step: number;
  /** Stopped, its next record a Start of a new session of the same device. */
  stopped: boolean;
}

type Status = 'Start' | 'Interim-Update' | 'Stop';

/** An accounting record as a MikroTik school router sends it (NAS-Identifier per school). */
function accounting(region: Region, session: LiveSession, status: Status, identifier: number): Buffer {
  const { device, generation, step } = session;
  const mac = region.macs[device]!;
  const attributes: EncodableAttribute[] = [
    ['Acct-Status-Type', status], ['Acct-Session-Id', `s${device}-${generation}`], ['User-Name', mac], ['Calling-Station-Id', mac],
    ['NAS-IP-Address', '127.0.0.1'], ['NAS-Identifier', schoolOf(device, region.schools)],
    ['Framed-IP-Address', `10.${(device >> 16) & 255}.${(device >> 8) & 255}.${device & 255}`],
    ['Acct-Input-Octets', step * 20_000], ['Acct-Output-Octets', step * 400_000], ['Acct-Session-Time', step * 300],
    ['Class', session.className],
    ...(status === 'Stop' ? [['Acct-Terminate-Cause', 'User-Request'] as EncodableAttribute] : []),
  ];
  const packet = loadDictionaries().encode({ code: 'Accounting-Request', identifier, authenticator: Buffer.alloc(16), secret: region.secret, attributes, add_message_authenticator: false });
  // RFC 2866 §3: the Request Authenticator is MD5(packet with zeros there + secret).
  packet.fill(0, 4, 20);
  createHash('md5').update(packet).update(region.secret).digest().copy(packet, 4);
  return packet;
}

const macAuth = (region: Region, device: number, identifier: number) => macAuthTemplate(region.macs[device]!, region.secret)(identifier);

/** Devices [0, count) connect: MAC authentication, then Accounting-Start with their Class. */
export async function connectDevices(region: Region, ports: { auth: number; acct: number }, count: number): Promise<{ sessions: LiveSession[]; auth: LoadResult; start: LoadResult }> {
  const sessions: LiveSession[] = [];
  const auth = await runLoad({
    port: ports.auth, total: count, sockets: 4, inFlightPerSocket: 32, timeoutMs: 5000,
    packet: (device, identifier) => macAuth(region, device, identifier),
    onReply: (device, reply) => {
      const className = attributeOf(reply, CLASS);
      if (reply[0] === ACCESS_ACCEPT && className) sessions[device] = { device, className: Buffer.from(className), generation: 0, step: 0, stopped: false };
    },
  });
  const live = sessions.filter(Boolean);
  const start = await runLoad({ port: ports.acct, total: live.length, sockets: 4, inFlightPerSocket: 32, timeoutMs: 5000, packet: (index, identifier) => accounting(region, live[index]!, 'Start', identifier) });
  return { sessions: live, auth, start };
}

export interface PeakOptions {
  seconds: number;
  authRate: number;
  acctRate: number;
  /** One accounting record in this many is a Stop (the device's next record then a Start). */
  stopEvery: number;
  /** Latency is also reported per interval of this many seconds. */
  intervalSeconds: number;
}

/** Latencies (ms) of the requests sent in one interval of the peak. */
export interface Interval {
  auth: number[];
  acct: number[];
}

/** The morning peak: paced MAC authentication of any registered device, and accounting of the live sessions. */
export async function peak(region: Region, ports: { auth: number; acct: number }, sessions: LiveSession[], options: PeakOptions): Promise<{ auth: LoadResult; acct: LoadResult; kinds: Record<Status, number>; intervals: Interval[] }> {
  const kinds: Record<Status, number> = { Start: 0, 'Interim-Update': 0, Stop: 0 };
  const started = performance.now();
  const intervals: Interval[] = [];
  // Latency by the interval a request was sent in: a stall shows where it happened.
  const timed = (load: 'auth' | 'acct', total: number) => {
    const sentAt = new Float64Array(total);
    return {
      sent: (index: number) => (sentAt[index] = performance.now()),
      onReply: (index: number) => {
        const at = sentAt[index]!;
        (intervals[Math.floor((at - started) / (options.intervalSeconds * 1000))] ??= { auth: [], acct: [] })[load].push(performance.now() - at);
      },
    };
  };
  const authTotal = Math.round(options.authRate * options.seconds);
  const acctTotal = Math.round(options.acctRate * options.seconds);
  const authTimes = timed('auth', authTotal);
  const acctTimes = timed('acct', acctTotal);
  const record = (index: number, identifier: number): Buffer => {
    acctTimes.sent(index);
    const session = sessions[Math.floor(Math.random() * sessions.length)]!;
    let status: Status = 'Interim-Update';
    if (session.stopped) {
      session.stopped = false;
      session.generation++;
      session.step = 0;
      status = 'Start';
    } else if (index % options.stopEvery === 0) {
      session.stopped = true;
      status = 'Stop';
    } else session.step++;
    kinds[status]++;
    return accounting(region, session, status, identifier);
  };
  const [auth, acct] = await Promise.all([
    runLoad({
      port: ports.auth, total: authTotal, rate: options.authRate, sockets: 2, inFlightPerSocket: 128, timeoutMs: 3000, onReply: authTimes.onReply,
      packet: (index, identifier) => (authTimes.sent(index), macAuth(region, Math.floor(Math.random() * region.macs.length), identifier)),
    }),
    runLoad({ port: ports.acct, total: acctTotal, rate: options.acctRate, sockets: 2, inFlightPerSocket: 128, timeoutMs: 3000, packet: record, onReply: acctTimes.onReply }),
  ]);
  return { auth, acct, kinds, intervals };
}
