import { createHash, createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Attr, Code, CODE_NAMES, encodeReply, encodeSignedRequest, messageAuthenticatorValid, parseFrame, requestAuthenticatorValid, type Frame } from '../../src/radius-wire/packet.js';
import { RadiusRequest } from '../../src/radius-wire/request.js';
import { accessRequest, accountingRequest, replyMessageAuthenticatorValid, responseAuthenticatorValid } from '../helpers/radius-wire.js';

const VECTORS = new URL('../fixtures/freeradius-vectors/', import.meta.url);

function vectors(): { hex: string; match: string }[] {
  const found: { hex: string; match: string }[] = [];
  for (const file of readdirSync(VECTORS).filter((name) => name.endsWith('.txt'))) {
    const lines = readFileSync(new URL(file, VECTORS), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line.startsWith('decode-proto ')) found.push({ hex: line.slice(13).replace(/ /g, ''), match: lines[index + 1] ?? '' });
    });
  }
  return found;
}

function frame(bytes: Buffer): Frame {
  const parsed = parseFrame(bytes);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('framing', () => {
  const all = vectors();

  it('reads every captured packet of the FreeRADIUS vectors as they decode it', () => {
    expect(all.length).toBeGreaterThanOrEqual(25);
    for (const { hex, match } of all) {
      const parsed = frame(Buffer.from(hex, 'hex'));
      const type = /Packet-Type = ::([\w-]+)/.exec(match)?.[1];
      expect(CODE_NAMES[parsed.code]?.toLowerCase()).toBe(type?.toLowerCase());
      const vector = /Packet-Authentication-Vector = 0x([0-9a-f]{32})/.exec(match)?.[1];
      expect(parsed.authenticator.toString('hex')).toBe(vector);
      const userName = /User-Name = "([^"]*)"/.exec(match)?.[1];
      if (userName) expect(new RadiusRequest(parsed).string(Attr.UserName)).toBe(userName);
    }
  });

  const valid = Buffer.from(all[0]!.hex, 'hex');

  it.each([
    ['a datagram shorter than the header', valid.subarray(0, 19), 'short'],
    ['Length below 20', Buffer.concat([valid.subarray(0, 2), Buffer.from([0, 19]), valid.subarray(4)]), 'bad-length'],
    ['Length above 4096', Buffer.concat([valid.subarray(0, 2), Buffer.from([0x10, 0x01]), valid.subarray(4)]), 'bad-length'],
    ['Length beyond the datagram', valid.subarray(0, valid.length - 1), 'bad-length'],
    ['an unknown code', Buffer.concat([Buffer.from([99]), valid.subarray(1)]), 'unknown-code'],
  ])('drops %s', (_name, bytes, reason) => {
    expect(parseFrame(bytes)).toBe(reason);
  });

  function withAttributes(attributes: Buffer): Buffer {
    const header = Buffer.alloc(20);
    header[0] = Code.AccessRequest;
    header.writeUInt16BE(20 + attributes.length, 2);
    return Buffer.concat([header, attributes]);
  }

  it.each([
    ['an attribute with length 0', Buffer.from([1, 0, 0x41]), 'bad-attribute'],
    ['an attribute with length 1', Buffer.from([1, 1, 0x41]), 'bad-attribute'],
    ['an attribute overrunning the packet', Buffer.from([1, 9, 0x41, 0x42]), 'bad-attribute'],
    ['a lone type byte at the end', Buffer.from([1, 3, 0x41, 1]), 'bad-attribute'],
    ['two Message-Authenticators', Buffer.concat([Buffer.from([80, 18]), Buffer.alloc(16), Buffer.from([80, 18]), Buffer.alloc(16)]), 'bad-message-authenticator'],
    ['a Message-Authenticator of the wrong length', Buffer.concat([Buffer.from([80, 17]), Buffer.alloc(15)]), 'bad-message-authenticator'],
  ])('drops %s', (_name, attributes, reason) => {
    expect(parseFrame(withAttributes(attributes))).toBe(reason);
  });

  it('ignores bytes after Length (RFC 2865 §3)', () => {
    const padded = Buffer.concat([valid, Buffer.from('trailing junk')]);
    expect(frame(padded).packet.equals(valid)).toBe(true);
  });
});

describe('authenticators', () => {
  const secret = 's3cret-shared';

  it('verifies a Message-Authenticator over the Access-Request, and refuses a changed packet or secret', () => {
    const request = frame(accessRequest(secret, [['User-Name', 'alice'], ['User-Password', 'pw']]));
    expect(messageAuthenticatorValid(request, secret)).toBe(true);
    expect(messageAuthenticatorValid(request, 'other-secret')).toBe(false);
    const tampered = Buffer.from(request.packet);
    tampered[22] = tampered[22]! ^ 1;
    expect(messageAuthenticatorValid(frame(tampered), secret)).toBe(false);
  });

  it('verifies the Request Authenticator of accounting, and refuses any changed byte', () => {
    const request = accountingRequest(secret, [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'abc']]);
    expect(requestAuthenticatorValid(frame(request), secret)).toBe(true);
    for (const index of [0, 5, 20, request.length - 1]) {
      const changed = Buffer.from(request);
      changed[index] = changed[index]! ^ 0x80;
      const parsed = parseFrame(changed);
      if (typeof parsed !== 'string') expect(requestAuthenticatorValid(parsed, secret)).toBe(false);
    }
  });

  it('signs replies with the Message-Authenticator first, then the Response Authenticator', () => {
    const request = frame(accessRequest(secret, [['User-Name', 'alice']]));
    const proxyState = Buffer.from('proxy-1');
    const reply = encodeReply({
      code: Code.AccessAccept,
      identifier: request.identifier,
      requestAuthenticator: request.authenticator,
      attributes: [['Session-Timeout', 3600], ['Reply-Message', 'Welcome']],
      secret,
      proxyStates: [proxyState],
      messageAuthenticator: true,
    });
    const parsed = frame(reply);
    expect(parsed.attributes[0]).toEqual({ type: Attr.MessageAuthenticator, value: expect.any(Buffer) });
    expect(parsed.maOffset).toBe(22);
    expect(parsed.attributes.at(-1)).toEqual({ type: Attr.ProxyState, value: proxyState });
    expect(replyMessageAuthenticatorValid(reply, request.authenticator, secret)).toBe(true);
    expect(responseAuthenticatorValid(reply, request.authenticator, secret)).toBe(true);
    expect(responseAuthenticatorValid(reply, request.authenticator, 'wrong')).toBe(false);
    const expected = createHash('md5').update(Buffer.concat([reply.subarray(0, 4), request.authenticator, reply.subarray(20)])).update(secret).digest();
    expect(parsed.authenticator.equals(expected)).toBe(true);
  });

  it('signs a Disconnect-Request as RFC 5176 and FreeRADIUS do: MA over a zero authenticator, then the authenticator', () => {
    const packet = encodeSignedRequest(Code.DisconnectRequest, 9, [['Acct-Session-Id', 's-1'], ['User-Name', 'alice']], secret);
    expect(packet[0]).toBe(40);
    expect(packet[20]).toBe(Attr.MessageAuthenticator);
    const zeroed = Buffer.from(packet);
    zeroed.fill(0, 4, 20);
    const ma = Buffer.from(zeroed);
    ma.fill(0, 22, 38);
    expect(createHmac('md5', secret).update(ma).digest().equals(packet.subarray(22, 38))).toBe(true);
    expect(createHash('md5').update(zeroed).update(secret).digest().equals(packet.subarray(4, 20))).toBe(true);
    const parsed = frame(packet);
    expect(requestAuthenticatorValid(parsed, secret) && messageAuthenticatorValid(parsed, secret)).toBe(true);
  });
});
