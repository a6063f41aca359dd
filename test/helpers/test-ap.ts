// A test access point that plays the AP's part for the portal tests, as CoovaChilli or a
// MikroTik hotspot would: it sends unknown devices to the portal, receives the browser's login,
// sends the real RADIUS Access-Request (CHAP) to Mektep over UDP, reports accounting Start, and
// sends the browser on to the page it first asked for.
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { EncodableAttribute } from 'radius';
import { loadDictionaries } from '../../src/radius-wire/dictionary.js';
import { Attr, parseFrame } from '../../src/radius-wire/packet.js';
import { RadiusRequest } from '../../src/radius-wire/request.js';
import { mikrotikLoginHtml } from '../../src/vendors/mikrotik-snippet.js';
import { accountingRequest } from './radius-wire.js';

export interface TestApOptions {
  vendor: 'chilli' | 'mikrotik';
  portalUrl: string;
  auth: number;
  acct: number;
  secret: string;
  nasId: string;
  clientMac: string;
  /** Source address of its RADIUS packets (the NAS Mektep knows). */
  nasIp: string;
  uamSecret?: string;
}

export interface TestAp {
  url: string;
  landing: string;
  /** The device reconnecting: MAC authentication; returns the reply code (2 = Accept). */
  macAuth(): Promise<number | undefined>;
  close(): Promise<void>;
}

async function radius(options: TestApOptions, port: number, packet: Buffer): Promise<Buffer | undefined> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, options.nasIp, () => resolve()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), 3000);
    const finish = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', finish);
    socket.send(packet, port, '127.0.0.1');
  });
}

function accessRequest(options: TestApOptions, attributes: EncodableAttribute[]): Buffer {
  return loadDictionaries().encode({
    code: 'Access-Request', identifier: randomBytes(1)[0]!, authenticator: randomBytes(16), secret: options.secret,
    attributes: [['NAS-Identifier', options.nasId], ['NAS-IP-Address', options.nasIp], ['Calling-Station-Id', options.clientMac], ...attributes],
    add_message_authenticator: true,
  });
}

async function body(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

const octal = (bytes: Buffer) => [...bytes].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');

export async function startTestAp(options: TestApOptions): Promise<TestAp> {
  const challenge = randomBytes(16);
  const chapId = randomBytes(1);
  let base = '';
  let sessions = 0;

  /** Access-Request with CHAP; on Accept, accounting Start with the Class and the client's address. */
  async function login(username: string, chapPassword: Buffer, chapChallenge: Buffer): Promise<boolean> {
    const reply = await radius(options, options.auth, accessRequest(options, [['User-Name', username], ['CHAP-Password', chapPassword], ['CHAP-Challenge', chapChallenge]]));
    const frame = reply && parseFrame(reply);
    if (!frame || typeof frame === 'string' || frame.code !== 2) return false;
    const className = new RadiusRequest(frame).raw(Attr.Class);
    await radius(options, options.acct, accountingRequest(options.secret, [
      ['Acct-Status-Type', 'Start'], ['Acct-Session-Id', `${options.nasId}-${++sessions}`], ['User-Name', username],
      ['Calling-Station-Id', options.clientMac], ['Framed-IP-Address', '127.0.0.1'], ['NAS-IP-Address', options.nasIp],
      ...(className ? [['Class', className] as EncodableAttribute] : []),
    ]));
    return true;
  }

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', base);
    const send = (status: number, headers: Record<string, string>, text = '') => response.writeHead(status, headers).end(text);
    void (async () => {
      if (url.pathname === '/landing') return send(200, { 'content-type': 'text/html' }, '<!doctype html><title>Landing</title><h1>The page you asked for</h1>');
      if (options.vendor === 'chilli' && url.pathname === '/logon') {
        const k = options.uamSecret ? createHash('md5').update(challenge).update(options.uamSecret).digest() : challenge;
        const ok = await login(url.searchParams.get('username') ?? '', Buffer.concat([Buffer.from([0]), Buffer.from(url.searchParams.get('response') ?? '', 'hex')]), k);
        return send(302, { location: ok ? (url.searchParams.get('userurl') ?? `${base}/landing`) : `${base}/` });
      }
      if (options.vendor === 'mikrotik' && url.pathname === '/login' && request.method === 'POST') {
        const form = await body(request);
        const ok = await login(form.get('username') ?? '', Buffer.concat([chapId, Buffer.from(form.get('password') ?? '', 'hex')]), challenge);
        return send(302, { location: ok ? (form.get('dst') ?? `${base}/landing`) : `${base}/` });
      }
      if (options.vendor === 'chilli') {
        const query = new URLSearchParams({
          res: 'notyet', uamip: options.nasIp, uamport: url.port, challenge: challenge.toString('hex'), mac: options.clientMac,
          ip: '127.0.0.1', nasid: options.nasId, userurl: `${base}/landing`,
        });
        // With a uamsecret Chilli signs its redirect: md = MD5(the URL so far ‖ uamsecret), last.
        const location = `${options.portalUrl}/?${query.toString()}`;
        const md = options.uamSecret ? `&md=${createHash('md5').update(location).update(options.uamSecret).digest('hex').toUpperCase()}` : '';
        return send(302, { location: `${location}${md}` });
      }
      // MikroTik serves its login.html with the hotspot variables filled in.
      const variables: Record<string, string> = {
        mac: options.clientMac, ip: '127.0.0.1', identity: options.nasId, 'link-login-only': `${base}/login`, 'link-orig': `${base}/landing`,
        'chap-id': octal(chapId), 'chap-challenge': octal(challenge), error: '',
      };
      return send(200, { 'content-type': 'text/html' }, mikrotikLoginHtml(options.portalUrl).replace(/\$\(([\w-]+)\)/g, (_all, name: string) => variables[name] ?? ''));
    })().catch((error: unknown) => send(500, {}, String(error)));
  });
  // On the NAS's own address, as an AP's login page is: the portal releases only to it.
  await new Promise<void>((resolve) => server.listen(0, options.nasIp, () => resolve()));
  base = `http://${options.nasIp}:${(server.address() as { port: number }).port}`;

  return {
    url: `${base}/`,
    landing: `${base}/landing`,
    async macAuth() {
      const reply = await radius(options, options.auth, accessRequest(options, [['User-Name', options.clientMac], ['Service-Type', 'Call-Check']]));
      return reply?.[0];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
