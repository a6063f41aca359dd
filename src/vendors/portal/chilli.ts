// CoovaChilli UAM: the redirect carries res=notyet, uamip, uamport, challenge, mac, ip, nasid,
// userurl (and md, Chilli's own signature with the uamsecret). The release is a GET to
// http://uamip:uamport/logon with a CHAP response computed here: with a uamsecret the challenge
// is first hashed with it, k = MD5(challenge ‖ uamsecret); without one k is the challenge.
// Chilli then sends Access-Request with CHAP-Password and CHAP-Challenge = k.
// With a uamsecret Chilli also signs its redirect: md is the upper-case hex MD5 of the whole URL
// up to "&md=" followed by the uamsecret (redir.c, redir_md_param), and md comes last.
import { createHash, timingSafeEqual } from 'node:crypto';
import { compact, formFields, hex, ip, mac, need, url } from './common.js';
import type { PortalDialect } from './types.js';

export function chilliChapResponse(challengeHex: string, password: string, uamSecret: string | undefined): string {
  const challenge = Buffer.from(challengeHex, 'hex');
  const k = uamSecret ? createHash('md5').update(challenge).update(uamSecret).digest() : challenge;
  return createHash('md5').update(Buffer.from([0])).update(password).update(k).digest('hex');
}

const SIGNATURE = /[?&]md=([0-9A-Fa-f]{32})$/;

export function chilliSignatureValid(url: string, uamSecret: string): boolean {
  const found = SIGNATURE.exec(url);
  if (!found) return false;
  const expected = createHash('md5').update(url.slice(0, found.index)).update(uamSecret).digest();
  return timingSafeEqual(expected, Buffer.from(found[1]!, 'hex'));
}

export const chilliPortal: PortalDialect = {
  vendor: 'chilli',
  detect: (query) => query.uamip !== undefined && query.challenge !== undefined,
  parse(query) {
    const uamip = ip(need(query, 'uamip'))!;
    const port = Number(query.uamport ?? 3990);
    return compact({
      vendor: 'chilli' as const,
      nasId: query.nasid,
      clientMac: mac(query.mac),
      clientIp: ip(query.ip),
      apMac: mac(query.called),
      originalUrl: query.userurl,
      loginUrl: url(`http://${uamip}:${Number.isInteger(port) && port > 0 && port < 65536 ? port : 3990}/logon`, 'uamip/uamport'),
      challenge: hex(need(query, 'challenge'), 'challenge'),
    });
  },
  // Without a uamsecret Chilli signs nothing: the parameters prove nothing by themselves.
  authentic: (urls, nas) => !nas.uamSecret || urls.some((url) => chilliSignatureValid(url, nas.uamSecret!)),
  release(context, credentials, nas) {
    return {
      kind: 'form',
      method: 'GET',
      action: context.loginUrl!,
      fields: formFields({
        username: credentials.username,
        response: chilliChapResponse(context.challenge!, credentials.password, nas?.uamSecret),
        userurl: context.originalUrl,
      }),
    };
  },
};
