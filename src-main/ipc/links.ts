import type { LinkId } from './contract.ts';

/**
 * The only addresses the app ever hands to the OS browser. The renderer names a link by id; a URL
 * from the renderer is never opened (Electron security checklist: no untrusted openExternal).
 */
export const LINKS: Readonly<Record<LinkId, { title: string; url: string }>> = Object.freeze({
  'rfc5280-san': { title: 'Subject Alternative Names (RFC 5280, 4.2.1.6)', url: 'https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6' },
  'openssl-x509': { title: 'The openssl x509 manual', url: 'https://docs.openssl.org/3.0/man1/openssl-x509/' },
  'electron-security': { title: 'Electron security checklist', url: 'https://www.electronjs.org/docs/latest/tutorial/security' },
});

export function linkUrl(id: LinkId): string {
  const link = Object.hasOwn(LINKS, id) ? LINKS[id] : undefined;
  if (!link || !link.url.startsWith('https://')) throw new Error(`unknown link "${String(id)}"`);
  return link.url;
}
