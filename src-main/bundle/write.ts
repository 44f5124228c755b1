import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, renameSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tar } from '../libs/tar.ts';
import { fsyncDir, writeFileAtomic } from '../vault/atomic.ts';
import { UserError, invalid } from '../errors.ts';
import type { BundleFile } from './bundle-file.ts';

export const BUNDLE_FORMATS = ['dir', 'tar', 'p12'] as const;
export type BundleFormat = (typeof BUNDLE_FORMATS)[number];

function safeRelative(path: string): string {
  if (path.startsWith('/') || path.split('/').some((p) => p === '..' || p === '') || path.includes('\0')) {
    throw new UserError('internal', `refusing bundle path "${path}"`);
  }
  return path;
}

function stage(files: BundleFile[], dir: string): void {
  for (const f of files) {
    const target = join(dir, safeRelative(f.path));
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    writeFileSync(target, f.content, { mode: f.mode });
    chmodSync(target, f.mode);
  }
}

function tempSibling(out: string): string {
  return join(dirname(out), `.${basename(out)}.${randomBytes(5).toString('hex')}.tmp`);
}

/** A new folder appears whole or not at all; an existing non-empty folder is never touched. */
export function writeBundleDir(files: BundleFile[], outDir: string): string {
  const out = resolve(outDir);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw invalid(`${out} exists and is not a folder`);
    if (readdirSync(out).length > 0) throw invalid(`${out} is not empty; choose a new folder`);
  }
  if (!existsSync(dirname(out))) throw invalid(`the parent folder ${dirname(out)} does not exist`);
  const tmp = tempSibling(out);
  mkdirSync(tmp, { mode: 0o700 });
  try {
    stage(files, tmp);
    chmodSync(tmp, 0o700);
    if (existsSync(out)) rmdirSync(out);
    renameSync(tmp, out);
    fsyncDir(dirname(out));
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return out;
}

/** A gzipped tar with the same modes as the folder form (node.key stays 0600 when unpacked). */
export async function writeBundleTar(files: BundleFile[], outFile: string): Promise<string> {
  const out = resolve(outFile);
  if (existsSync(out)) throw invalid(`${out} already exists; choose a new file name`);
  if (!existsSync(dirname(out))) throw invalid(`the folder ${dirname(out)} does not exist`);
  const tmp = tempSibling(out);
  mkdirSync(tmp, { mode: 0o700 });
  try {
    stage(files, tmp);
    const chunks: Buffer[] = [];
    const stream = tar.create({ gzip: true, cwd: tmp, portable: true, noMtime: false }, files.map((f) => f.path));
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    writeFileAtomic(out, Buffer.concat(chunks), 0o600);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

export function writeBundleFile(content: Buffer, outFile: string): string {
  const out = resolve(outFile);
  if (existsSync(out)) throw invalid(`${out} already exists; choose a new file name`);
  if (!existsSync(dirname(out))) throw invalid(`the folder ${dirname(out)} does not exist`);
  writeFileAtomic(out, content, 0o600);
  return out;
}
