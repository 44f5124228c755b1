// A worker of core/leaf-pool.ts: makes the leaves it is sent and posts them back. It gets the CA's
// signing key as a KeyObject over postMessage (cloned within this process's memory, never written
// anywhere) and the node-key sealing key; it has no vault, no keychain and no files.
import { parentPort } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { parseCaCertificate, type CaMaterial } from '../pki/certificates.ts';
import { toSigningKey } from '../pki/keys.ts';
import { toUserError } from '../errors.ts';
import { makeLeafRun, type LeafJob } from './leaf-work.ts';

export type ToWorker = { type: 'init'; certPem: string; key: KeyObject; kek: Uint8Array } | { type: 'run'; id: number; jobs: LeafJob[] };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; leaves: import('./leaf-work.ts').LeafOutput[] }
  | { type: 'failed'; id: number; code: string; message: string; appMessage: string };

let ready: Promise<{ ca: CaMaterial; kek: Buffer }> | null = null;

parentPort?.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    ready = toSigningKey(msg.key).then(({ privateKey, type }) => ({
      ca: { certPem: msg.certPem, cert: parseCaCertificate(msg.certPem), signingKey: privateKey, keyType: type },
      kek: Buffer.from(msg.kek),
    }));
    // Announced once it can sign, so the pool hands this worker work only then (the main thread works meanwhile).
    ready.then(() => parentPort!.postMessage({ type: 'ready' } satisfies FromWorker), () => undefined);
    return;
  }
  void (async () => {
    try {
      if (!ready) throw new Error('the signing worker got work before its CA');
      const { ca, kek } = await ready;
      const leaves = await makeLeafRun(ca, kek, msg.jobs);
      parentPort!.postMessage({ type: 'done', id: msg.id, leaves } satisfies FromWorker);
    } catch (err) {
      const e = toUserError(err);
      parentPort!.postMessage({ type: 'failed', id: msg.id, code: e.code, message: e.message, appMessage: e.appMessage } satisfies FromWorker);
    }
  })();
});
