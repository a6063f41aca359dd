// The landing page — what every device sees first, hundreds at once each school morning — is
// rendered and compressed once, then served as the same bytes to every visitor of one school in
// one language. What differs between visitors travels outside the page: the signed context in a
// cookie (context.ts), and no CSRF token at all (same-origin.ts checks where a form comes from).
// What the page does vary by, besides language and school: whether the AP named the device (the
// "remember", voucher and guest parts), whether its MAC is a private one (the hint to turn that
// off), and whether the school's student policy remembers devices by default. The vendor is not
// one of them: its parameters end up in the context cookie only.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Language } from '../i18n/languages.js';
import type { LoginLook } from './pages.js';
import type { SchoolLook } from './render.js';

export interface LandingLook extends LoginLook {
  lang: Language;
}

export type Encoding = 'br' | 'gzip' | 'identity';

export interface LandingPage {
  bodies: Record<Encoding, Buffer>;
  /** The Content-Security-Policy for it (a school's colour adds its style's hash). */
  csp: string;
}

export type RenderLanding = (school: SchoolLook | undefined, look: LandingLook) => Promise<{ html: string; csp: string }>;

function compressed({ html, csp }: { html: string; csp: string }): LandingPage {
  const identity = Buffer.from(html);
  return {
    csp,
    bodies: {
      identity,
      gzip: gzipSync(identity, { level: 9 }),
      br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    },
  };
}

/** Pages kept per school object: the school directory replaces a school's object when it changes
 * (its name, logo or colour), so a changed school is a new entry and the old one goes with its
 * object. Per school at most 3 languages × 8 looks. The catalogues and templates change only with
 * a new release, that is a restart. */
export function createLandingPages(render: RenderLanding) {
  const noSchool = {};
  const bySchool = new WeakMap<object, Map<string, Kept>>();
  const keyOf = (look: LandingLook) => `${look.lang}${Number(look.canRemember)}${Number(look.privateMac)}${Number(look.remember)}`;
  return {
    get(school: SchoolLook | undefined, look: LandingLook): Promise<LandingPage> {
      const holder = school ?? noSchool;
      let pages = bySchool.get(holder);
      if (!pages) {
        pages = new Map();
        bySchool.set(holder, pages);
      }
      const key = keyOf(look);
      let kept = pages.get(key);
      if (!kept) {
        const entry: Kept = { page: render(school, look).then(compressed) };
        const all = pages;
        entry.page.then((page) => void (entry.done = page), () => all.delete(key));
        pages.set(key, (kept = entry));
      }
      return kept.page;
    },
    /** The page when it is rendered already: the landing page's direct answer needs no promise. */
    ready(school: SchoolLook | undefined, look: LandingLook): LandingPage | undefined {
      return bySchool.get(school ?? noSchool)?.get(keyOf(look))?.done;
    },
  };
}

interface Kept {
  page: Promise<LandingPage>;
  /** Set once rendered. */
  done?: LandingPage;
}

export type LandingPages = ReturnType<typeof createLandingPages>;

/** The best encoding the browser accepts (a q=0 refuses one); no header means none. */
export function encodingFor(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  const offered = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim());
    if (!params.some((param) => /^q=0(\.0*)?$/.test(param))) offered.add(name);
  }
  return offered.has('br') ? 'br' : offered.has('gzip') ? 'gzip' : 'identity';
}
