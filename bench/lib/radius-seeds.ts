// Well-formed requests of every kind an access point sends, built from the data the RADIUS
// fuzzer registered (users, devices, vouchers, one-time tokens, live sessions). The fuzzer
// mutates them; `credentials` names what must not change for an Access-Accept to be right.
import { createHash, randomBytes } from 'node:crypto';
import { A, type Attribute, type Seed } from './radius-mutate.js';

export interface FuzzData {
  users: { username: string; password: string }[];
  devices: string[];
  unknownMacs: string[];
  vouchers: string[];
  tokens: { username: string; password: string; mac: string }[];
  /** Class values from real Access-Accepts, echoed in accounting as a NAS does. */
  classes: Buffer[];
  sessions: { id: string; mac: string }[];
}

const rand = (n: number) => Math.floor(Math.random() * n);
const pick = <T>(list: readonly T[]): T => list[rand(list.length)]!;
const text = (value: string) => Buffer.from(value);

function integer(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

const dashed = (mac: string) => mac.replace(/:/g, '-').toUpperCase();
const MA: Attribute = [A.MessageAuthenticator, Buffer.alloc(16)];
const NAS_PART: Attribute[] = [[4, Buffer.from([127, 0, 0, 1])], [32, text('fuzz-ap')], [30, text('AA-BB-CC-00-00-01:school-wifi')], [5, integer(7)], [61, integer(19)]];

function access(kind: string, attributes: Attribute[], credentials: number[], judge: Seed['judge'], mustReject: boolean, secondary: number[] = []): Seed {
  return { kind, port: 'auth', code: 1, attributes: [...attributes, ...NAS_PART, MA], credentials, secondary, judge, mustReject };
}

function macAuth(kind: string, mac: string, mustReject: boolean): Seed {
  // Cisco style (Call-Check, password = MAC) or MikroTik style (no Service-Type, empty password).
  const callCheck = rand(2) === 0;
  const attributes: Attribute[] = callCheck
    ? [[A.UserName, text(mac.replace(/:/g, ''))], [A.UserPassword, text(mac.replace(/:/g, ''))], [A.ServiceType, integer(10)], [A.CallingStationId, text(dashed(mac))]]
    : [[A.UserName, text(mac.toUpperCase())], [A.UserPassword, Buffer.alloc(0)], [A.CallingStationId, text(mac.toUpperCase())]];
  // The MAC the access point saw is the credential; the User-Name and Service-Type only say
  // which kind of login this is.
  return access(kind, attributes, [A.CallingStationId], 'mac', mustReject, [A.UserName, A.ServiceType]);
}

function chap(password: string): [Buffer, Buffer] {
  const id = Buffer.from([rand(256)]);
  const challenge = randomBytes(16);
  return [Buffer.concat([id, createHash('md5').update(id).update(password).update(challenge).digest()]), challenge];
}

function accounting(kind: string, status: number, session: { id: string; mac: string }, data: FuzzData, step: number): Seed {
  const attributes: Attribute[] = [
    [A.AcctStatusType, integer(status)], [44, text(session.id)], [A.UserName, text(session.mac)], [A.CallingStationId, text(dashed(session.mac))],
    [8, Buffer.from([10, 20, rand(256), 1 + rand(250)])], [42, integer(step * 1000)], [43, integer(step * 90_000)], [46, integer(step * 300)], ...NAS_PART,
  ];
  if (data.classes.length && rand(3) !== 0) attributes.push([25, pick(data.classes)]);
  if (status === 2) attributes.push([49, integer(1 + rand(18))]);
  if (rand(4) === 0) attributes.unshift(MA);
  return { kind, port: 'acct', code: 4, attributes, credentials: [], secondary: [], judge: 'user', mustReject: false };
}

/** Each kind with its share of the traffic. */
export function seedMaker(data: FuzzData): () => Seed {
  let step = 1;
  const kinds: [number, () => Seed][] = [
    [20, () => macAuth('mac-auth', pick(data.devices), false)],
    [5, () => macAuth('mac-auth-unknown', pick(data.unknownMacs), true)],
    [8, () => { const user = pick(data.users); return access('pap-user', [[A.UserName, text(user.username)], [A.UserPassword, text(user.password)], [A.CallingStationId, text(dashed(pick(data.unknownMacs)))]], [A.UserName, A.UserPassword], 'user', false); }],
    [5, () => access('pap-wrong-password', [[A.UserName, text(pick(data.users).username)], [A.UserPassword, text(`wrong-${rand(1e6)}`)], [A.CallingStationId, text(dashed(pick(data.unknownMacs)))]], [A.UserName, A.UserPassword], 'user', true)],
    [8, () => {
      const code = pick(data.vouchers);
      const [password, challenge] = chap(code);
      return access('chap-voucher', [[A.UserName, text(code)], [A.ChapPassword, password], [A.ChapChallenge, challenge], [A.CallingStationId, text(dashed(pick(data.unknownMacs)))]], [A.UserName, A.ChapPassword, A.ChapChallenge], 'voucher', false);
    }],
    [4, () => { const token = pick(data.tokens); return access('pap-token', [[A.UserName, text(token.username)], [A.UserPassword, text(token.password)], [A.CallingStationId, text(dashed(token.mac))]], [A.UserName, A.UserPassword, A.CallingStationId], 'token', false); }],
    [3, () => { const seed = macAuth('eap', pick(data.devices), true); seed.attributes.splice(1, 1, [A.EapMessage, Buffer.from([2, rand(256), 0, 10, 1, ...text('anon')])]); seed.rejectWhile = A.EapMessage; return seed; }],
    [2, () => ({ kind: 'status-server', port: 'auth', code: 12, attributes: [MA, ...NAS_PART], credentials: [], secondary: [], judge: 'user', mustReject: false })],
    [2, () => ({ kind: 'status-server', port: 'acct', code: 12, attributes: [MA, ...NAS_PART], credentials: [], secondary: [], judge: 'user', mustReject: false })],
    [8, () => accounting('acct-start', 1, pick(data.sessions), data, 0)],
    [25, () => accounting('acct-interim', 3, pick(data.sessions), data, step++)],
    [8, () => accounting('acct-stop', 2, pick(data.sessions), data, step++)],
    [0.2, () => accounting('acct-on-off', pick([7, 8]), pick(data.sessions), data, 0)],
  ];
  const total = kinds.reduce((sum, [weight]) => sum + weight, 0);
  return () => {
    let roll = Math.random() * total;
    for (const [weight, make] of kinds) {
      roll -= weight;
      if (roll <= 0) return make();
    }
    return kinds[0]![1]();
  };
}
