// The pieces of the cached landing page: the signed context cookie, where a form may come from,
// the encoding chosen, and the cache of rendered pages.
import { describe, expect, it } from 'vitest';
import { contextCookie, signContext, verifyContext, type PortalContext } from '../../src/portal/context.js';
import { createLandingPages, encodingFor, type LandingLook } from '../../src/portal/landing.js';
import { crossSiteReason } from '../../src/portal/same-origin.js';

const SECRET = 'unit-secret';
const context: PortalContext = { vendor: 'chilli', nasId: 'ch-1', clientMac: '00:1b:63:00:00:01', loginUrl: 'http://10.0.0.1:3990/logon', originalUrl: 'http://example.org/' };
const NOW = Date.parse('2026-12-01T08:00:00Z');

describe('the signed context', () => {
  it('reads back what was signed until it expires, then says expired', () => {
    const token = signContext(context, SECRET, 1800, NOW);
    expect(verifyContext(token, SECRET, NOW + 1_799_000)).toEqual(context);
    expect(verifyContext(token, SECRET, NOW + 1_800_000)).toBe('expired');
  });

  it('refuses another secret, a changed payload or signature, and rubbish', () => {
    const token = signContext(context, SECRET, 1800, NOW);
    const [payload, signature] = token.split('.') as [string, string];
    const changed = Buffer.from(JSON.stringify({ ctx: { ...context, loginUrl: 'http://evil.example/' }, exp: NOW / 1000 + 1800 })).toString('base64url');
    for (const forged of [signContext(context, 'other-secret', 1800, NOW), `${changed}.${signature}`, `${payload}.${signature.slice(1)}`, `${payload}.`, 'x', '', undefined]) {
      expect(verifyContext(forged, SECRET, NOW)).toBe('invalid');
    }
  });

  it('refuses a second spelling of a valid token (a character whose low byte is the original one)', () => {
    const token = signContext(context, SECRET, 1800, NOW);
    const respelled = `${String.fromCharCode(token.charCodeAt(0) + 0x100)}${token.slice(1)}`;
    expect(verifyContext(respelled, SECRET, NOW)).toBe('invalid');
    const signature = token.indexOf('.') + 1;
    expect(verifyContext(`${token.slice(0, signature)}${String.fromCharCode(token.charCodeAt(signature) + 0x100)}${token.slice(signature + 1)}`, SECRET, NOW)).toBe('invalid');
  });

  it('leaves out a "continue to" URL too long for a cookie, and keeps the rest', () => {
    const long = { ...context, originalUrl: `http://example.org/${'a'.repeat(3000)}` };
    const token = signContext(long, SECRET, 1800, NOW);
    expect(token.length).toBeLessThan(3800);
    const { originalUrl: _dropped, ...rest } = long;
    expect(verifyContext(token, SECRET, NOW)).toEqual(rest);
  });

  it('is an HttpOnly, SameSite=Lax cookie for the whole portal, Secure under HTTPS', () => {
    expect(contextCookie('abc.def', false)).toBe('mk_ctx=abc.def; Max-Age=1800; Path=/; HttpOnly; SameSite=Lax');
    expect(contextCookie('abc.def', true)).toMatch(/; Secure$/);
  });
});

describe('where a form may come from', () => {
  const own = ['http://portal.school.test', 'http://10.0.0.5:8080'];
  const post = (headers: Record<string, string>) => crossSiteReason({ method: 'POST', headers }, own);
  it.each([
    [{ 'sec-fetch-site': 'same-origin' }, undefined],
    [{ 'sec-fetch-site': 'same-origin', origin: 'http://elsewhere.example' }, undefined],
    [{ origin: 'http://portal.school.test' }, undefined],
    [{ origin: 'http://10.0.0.5:8080' }, undefined],
    [{ referer: 'http://portal.school.test/?lang=kk' }, undefined],
    [{ 'sec-fetch-site': 'cross-site', origin: 'http://portal.school.test' }, 'Sec-Fetch-Site: cross-site'],
    [{ 'sec-fetch-site': 'same-site' }, 'Sec-Fetch-Site: same-site'],
    [{ 'sec-fetch-site': 'none' }, 'Sec-Fetch-Site: none'],
    [{ origin: 'http://evil.example' }, 'Origin: http://evil.example'],
    [{ origin: 'null' }, 'Origin: null'],
    [{ origin: 'http://portal.school.test.evil.example' }, 'Origin: http://portal.school.test.evil.example'],
    [{ referer: 'http://evil.example/page' }, 'Referer of another site'],
    [{ referer: 'not a url' }, 'Referer of another site'],
    [{}, 'no Sec-Fetch-Site, Origin or Referer'],
  ])('a POST with %o: %s', (headers, reason) => {
    expect(post(headers)).toBe(reason);
  });

  it('lets GET and HEAD through whatever they say', () => {
    expect(crossSiteReason({ method: 'GET', headers: { 'sec-fetch-site': 'cross-site' } }, own)).toBeUndefined();
    expect(crossSiteReason({ method: 'HEAD', headers: {} }, own)).toBeUndefined();
  });
});

describe('the encoding of the cached page', () => {
  it.each([
    [undefined, 'identity'], ['', 'identity'], ['gzip, deflate', 'gzip'], ['gzip, deflate, br', 'br'], ['br;q=0, gzip', 'gzip'],
    ['BR;Q=0.0, GZIP;q=0.5', 'gzip'], ['gzip;q=0', 'identity'], ['identity', 'identity'], ['*', 'identity'],
  ])('Accept-Encoding %o → %s', (header, encoding) => {
    expect(encodingFor(header)).toBe(encoding);
  });
});

describe('the cache of rendered pages', () => {
  const look: LandingLook = { lang: 'en', canRemember: true, remember: false, privateMac: false };

  it('renders a page once per school object and look, and again when the school object is replaced', async () => {
    const rendered: string[] = [];
    const pages = createLandingPages(async (school, { lang }) => {
      rendered.push(`${school?.name ?? '-'}/${lang}`);
      return { html: `<p>${school?.name ?? '-'} ${lang}</p>`, csp: 'default-src none' };
    });
    const school = { name: 'School 1' };
    const first = await pages.get(school, look);
    expect(await pages.get(school, look)).toBe(first);
    await pages.get(school, { ...look, lang: 'kk' });
    await pages.get(undefined, look);
    expect(rendered).toEqual(['School 1/en', 'School 1/kk', '-/en']);
    // The school directory hands out a new object after a change: a new page.
    const renamed = await pages.get({ name: 'School One' }, look);
    expect(renamed.bodies.identity.toString()).toBe('<p>School One en</p>');
    expect(first.bodies.gzip.length).toBeGreaterThan(0);
    expect(first.bodies.br.length).toBeGreaterThan(0);
  });

  it('forgets a page whose rendering failed, so the next visitor tries again', async () => {
    let fail = true;
    const pages = createLandingPages(async () => {
      if (fail) throw new Error('template broken');
      return { html: '<p>ok</p>', csp: '' };
    });
    const school = { name: 'School 2' };
    await expect(pages.get(school, look)).rejects.toThrow('template broken');
    fail = false;
    expect((await pages.get(school, look)).bodies.identity.toString()).toBe('<p>ok</p>');
  });
});
