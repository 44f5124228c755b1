import { X509Certificate } from 'node:crypto';
import { spkiOf } from '../pki/keys.ts';
import type { NodeBundle } from '../core/bundle.ts';
import { nodeKeyId } from './node-key.ts';

/** The id of the node-made key a bundle's certificate was signed for; null when the bundle carries its key. */
export function carriedKeyId(bundle: NodeBundle): string | null {
  if (!bundle.cert.keyOnNode) return null;
  const crt = bundle.files.find((f) => f.path === 'node.crt');
  if (!crt) return null;
  return nodeKeyId(spkiOf(new X509Certificate(crt.content.toString()).publicKey));
}
