import { threadId } from 'node:worker_threads';
import { issueLeaf, type CaMaterial } from '../pki/certificates.ts';
import { generateKeyDer } from '../pki/keys.ts';
import { fingerprintSha256 } from '../pki/inspect.ts';
import type { KeyType } from '../pki/policy.ts';
import { sealNodeKey } from '../keychain/node-keys.ts';

// The compute half of issuance (keygen, signing, sealing the key): plain data in, plain data out, so
// it runs the same on the main thread and in a worker of core/leaf-pool.ts. The vault is never
// touched here: the main thread records the results in one transaction.

/** One certificate to make. Only structured-clonable data: it may cross to a worker. */
export interface LeafJob {
  commonName: string;
  dns: string[];
  ips: string[];
  server: boolean;
  client: boolean;
  days?: number;
  keyType: KeyType;
  /** The operation's clock (ms), so every thread stamps validity from the same `now`. */
  nowMs: number;
  /** Re-sign this key (`renew --keep-key`, a key made on the node); its PKCS#8, when the vault holds it, is re-sealed. */
  existing?: { spki: ArrayBuffer; pkcs8: Uint8Array | null };
}

export interface LeafOutput {
  certPem: string;
  serial: string;
  fingerprint: string;
  notBeforeMs: number;
  notAfterMs: number;
  /** The new or kept private key sealed under the CA's node-key key; null when the vault keeps none. */
  sealedKey: string | null;
  /** The thread that signed it (0: the main thread). */
  threadId: number;
}

export async function makeLeafOutput(ca: CaMaterial, kek: Buffer, job: LeafJob): Promise<LeafOutput> {
  // Key pairs come as DER straight from the thread pool: no JavaScript export per key.
  const key = job.existing ? null : await generateKeyDer(job.keyType);
  const publicKey = job.existing ? job.existing.spki : key!.spki;
  const leaf = await issueLeaf(ca, { commonName: job.commonName, dns: job.dns, ips: job.ips, server: job.server, client: job.client, days: job.days, publicKey, now: new Date(job.nowMs) });
  const pkcs8 = job.existing ? job.existing.pkcs8 : key!.pkcs8;
  return {
    certPem: leaf.certPem,
    serial: leaf.serial,
    fingerprint: fingerprintSha256(leaf.der),
    notBeforeMs: leaf.notBefore.getTime(),
    notAfterMs: leaf.notAfter.getTime(),
    sealedKey: pkcs8 ? sealNodeKey(kek, Buffer.from(pkcs8)) : null,
    threadId,
  };
}

/**
 * Makes a run of leaves with a few in flight, so one key's generation (libuv's thread pool) overlaps
 * another's signing on this thread. Results in input order.
 */
export async function makeLeafRun(ca: CaMaterial, kek: Buffer, jobs: LeafJob[], inFlight = 4, onEach?: (index: number) => void): Promise<LeafOutput[]> {
  const out = new Array<LeafOutput>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await makeLeafOutput(ca, kek, jobs[i]!);
      onEach?.(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, jobs.length)) }, lane));
  return out;
}
