// The setup snippet of each vendor profile, from the vendor's own module: one entry point for
// the console's Access points page and `mektep nas snippet`, so the two cannot drift apart.
import type { Vendor } from '../store/nas.js';
import { chilliSnippets } from './chilli-snippet.js';
import { mikrotikSnippets } from './mikrotik-snippet.js';
import { settingsSnippets } from './settings-snippets.js';
import type { Snippet, SnippetContext } from './snippet-types.js';

export type { Snippet, SnippetContext } from './snippet-types.js';

/** Shown in place of the secret whenever it is not the moment to show it (see the NAS page and the CLI). */
export const SECRET_PLACEHOLDER = '<secret>';

export function setupSnippets(vendor: Vendor, context: SnippetContext): Snippet[] {
  if (vendor === 'mikrotik') return mikrotikSnippets(context);
  if (vendor === 'chilli') return chilliSnippets(context);
  return settingsSnippets(vendor, context);
}

/** Where a NAS should send RADIUS: the address Mektep listens on, unless that is every address. */
export function radiusAddressOf(listenHost: string, publicUrl: string): string {
  return ['0.0.0.0', '::', ''].includes(listenHost) ? new URL(publicUrl).hostname.replace(/^\[|\]$/g, '') : listenHost;
}
