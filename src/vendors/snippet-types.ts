// What a setup snippet is built from, and what it is: text an admin copies into the access
// point's configuration. Pure: the same input always gives the same text, for the console's
// Access points page and `mektep nas snippet` alike.

export interface SnippetContext {
  /** PUBLIC_URL: where captive devices are sent. */
  publicUrl: string;
  /** Where the AP sends RADIUS (an address the AP can reach). */
  radiusAddress: string;
  authPort: number;
  acctPort: number;
  /** The shared secret, or a placeholder when it must not be shown. */
  secret: string;
  nas: { address: string; coaPort: number; nasId?: string | undefined };
}

export interface Snippet {
  /** What it is, for a heading: RADIUS settings, the config file, a page to upload. */
  kind: 'commands' | 'config' | 'settings' | 'login-html';
  /** A file to save it as, when it is a whole file. */
  file?: string;
  text: string;
}

export const portalHost = (publicUrl: string): string => new URL(publicUrl).hostname;
