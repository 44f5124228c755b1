/**
 * The renderer is served from our own privileged scheme, never file://: a page on app://cluster-trust
 * has a real origin for its CSP, cannot read neighbouring files, and is easy to tell apart from
 * anything else that might end up in a window.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'cluster-trust';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The same policy as the <meta> in index.html, also sent as a header (a header covers frame-ancestors). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** True for URLs of our own renderer (any path on app://cluster-trust). */
export function isAppUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    // Node's URL gives non-special schemes an opaque origin ("null"), so compare the parts.
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
