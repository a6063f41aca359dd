import type { PortalContext } from '../../portal/context.js';
import type { NasClient, Vendor } from '../../store/nas.js';

export type Query = Record<string, string>;

/** How the browser (or the server) tells the AP to let the device in. */
export type Release =
  | { kind: 'form'; method: 'GET' | 'POST'; action: string; fields: Record<string, string> }
  | { kind: 'controller'; request: { url: string; body: Record<string, unknown> }; then?: string };

export interface Credentials {
  username: string;
  password: string;
}

/** A vendor's captive-portal dialect: recognise and read its redirect, build its release. */
export interface PortalDialect {
  vendor: Vendor;
  detect(query: Query, path: string): boolean;
  /** Throws a ValidationError when a parameter the vendor always sends is missing or malformed. */
  parse(query: Query, path: string): PortalContext;
  release(context: PortalContext, credentials: Credentials, nas: NasClient | undefined): Release;
  /** For a vendor that signs its redirect: whether the redirect, as the browser asked for it
   * (`urls`: the full URL spelled each way the AP may have addressed the portal), carries a
   * valid signature for this NAS. Vendors without one leave this out. */
  authentic?(urls: string[], nas: NasClient): boolean;
}
