import { createPublicKey } from 'node:crypto';
import { parseCsr } from '../pki/csr.ts';
import { spkiOf } from '../pki/keys.ts';
import type { KeyType } from '../pki/policy.ts';
import { UserError } from '../errors.ts';
import type { NodeRecord } from '../vault/schema.ts';

export interface CheckedNodeCsr {
  publicKeyDer: Buffer;
  keyType: KeyType;
}

/**
 * Checks a CSR that a node made over SSH (a hostile node may send anything): it verifies, its key is
 * the one the node just made (its `openssl pkey -pubout`), of the type asked for, and it asks for
 * nothing but the node's name. The certificate gets the inventory's names in any case.
 */
export async function checkNodeCsr(node: NodeRecord, csrPem: string, publicKeyPem: string, keyType: KeyType): Promise<CheckedNodeCsr> {
  const refuse = (why: string) => new UserError('refused', `the CSR node "${node.name}" returned ${why}; nothing was signed`);
  let csr;
  try {
    csr = await parseCsr(csrPem);
  } catch (err) {
    throw refuse(`is not usable (${(err as Error).message})`);
  }
  let made: Buffer;
  try {
    made = spkiOf(createPublicKey({ key: publicKeyPem, format: 'pem' }));
  } catch {
    throw refuse('came with a public key that does not parse');
  }
  // Both through Node's encoder, so equal keys compare equal whatever encoding the node's openssl chose.
  const asked = spkiOf(createPublicKey({ key: Buffer.from(csr.publicKeyDer), format: 'der', type: 'spki' }));
  if (!asked.equals(made)) throw refuse('is for another key than the one just made there');
  if (csr.keyType !== keyType) throw refuse(`is for a ${csr.keyType} key, not the ${keyType} key asked for`);
  const extra = [...(csr.commonName === node.name ? [] : [`CN ${csr.commonName || '(none)'}`]), ...csr.dns, ...csr.ips];
  if (extra.length) throw refuse(`asks for names the inventory does not give it (${extra.slice(0, 5).join(', ').slice(0, 200)})`);
  return { publicKeyDer: asked, keyType };
}
