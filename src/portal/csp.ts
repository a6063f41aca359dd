// The portal's Content-Security-Policy. The only inline style (the layout's) and the only inline
// script (the release page's auto-submit) are static, so they are allowed by their SHA-256
// hashes, computed once from the templates: the header is the same for every response, and no
// per-request nonce is needed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

function inlineHash(file: string, tag: 'style' | 'script'): string {
  const content = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(readFileSync(file, 'utf8'))?.[1];
  if (content === undefined) throw new Error(`no inline <${tag}> in ${file}`);
  return `'sha256-${createHash('sha256').update(content).digest('base64')}'`;
}

export interface PortalCsp {
  /** For every portal page. */
  header: string;
  /** For the release page: forms may also go to the access point's origin. */
  withFormAction(origin: string): string;
}

export function portalCsp(viewsDir: string): PortalCsp {
  const directives = (formAction: string) => [
    "default-src 'none'",
    `style-src ${inlineHash(`${viewsDir}/layouts/portal.eta`, 'style')}`,
    `script-src ${inlineHash(`${viewsDir}/portal/release.eta`, 'script')}`,
    "img-src 'self' data:",
    `form-action ${formAction}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const header = directives("'self'");
  return { header, withFormAction: (origin) => directives(origin) };
}
