// The portal's Content-Security-Policy. The inline style (the layout's) and the only inline
// script (the release page's auto-submit) are static, so they are allowed by their SHA-256
// hashes, computed once from the templates: no per-request nonce is needed. A school with a
// colour of its own adds one validated one-rule style, allowed by its hash on its pages.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const sha256 = (content: string) => `'sha256-${createHash('sha256').update(content).digest('base64')}'`;

function inlineHash(file: string, tag: 'style' | 'script'): string {
  const content = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(readFileSync(file, 'utf8'))?.[1];
  if (content === undefined) throw new Error(`no inline <${tag}> in ${file}`);
  return sha256(content);
}

/** The one-rule style a school's own colour adds to the layout (its hash joins the CSP). */
export function accentStyle(colour: string): string {
  return `:root{--accent:${colour}}`;
}

export interface PortalCsp {
  /** For every portal page. */
  header: string;
  /** For a page in a school's colour (see accentStyle); on the release page, forms may also go
   * to the access point's origin. */
  build(options: { formAction?: string | undefined; colour?: string | undefined }): string;
}

export function portalCsp(viewsDir: string): PortalCsp {
  const layoutStyle = inlineHash(`${viewsDir}/layouts/portal.eta`, 'style');
  const directives = (formAction: string, colour?: string) => [
    "default-src 'none'",
    `style-src ${layoutStyle}${colour ? ` ${sha256(accentStyle(colour))}` : ''}`,
    `script-src ${inlineHash(`${viewsDir}/portal/release.eta`, 'script')}`,
    "img-src 'self' data:",
    `form-action ${formAction}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const header = directives("'self'");
  return {
    header,
    build: ({ formAction, colour }) => directives(formAction ?? "'self'", colour),
  };
}
