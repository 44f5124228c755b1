import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic, ensurePrivateDir, fsyncDir } from './atomic.ts';
import { acquireLock } from './lock.ts';
import { emptyInventory, inventorySchema, packSchema, SCHEMA_VERSION, type Inventory, type Pack } from './schema.ts';
import { UserError } from '../core/errors.ts';

export interface PendingFile {
  relPath: string;
  data: string | Buffer;
  mode: number;
}

/** Files a transaction writes before the inventory that refers to them. */
export class Transaction {
  readonly files: PendingFile[] = [];
  write(relPath: string, data: string | Buffer, mode = 0o600): void {
    this.files.push({ relPath, data, mode });
  }
  /** Stores certificates (and encrypted keys) of one operation in one pack file: one fsync for a whole batch. */
  writePack(pack: Pack): string {
    const id = `${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
    this.write(`packs/${id}.json`, JSON.stringify(pack), 0o600);
    return id;
  }
}

/**
 * The workspace on disk. Every change runs in `update`: under an exclusive lock it reads the
 * inventory fresh, lets the caller change it, writes new files (each atomic), and only then
 * replaces inventory.json atomically. An error or a crash before that last rename leaves the vault
 * as it was; files written for a change that never landed are unreferenced and ignored.
 */
export class Vault {
  readonly home: string;

  private constructor(home: string) {
    this.home = home;
  }

  static open(home: string): Vault {
    if (existsSync(home)) {
      let st;
      try {
        st = statSync(home);
      } catch (err) {
        throw new UserError('io', `cannot read the vault folder ${home}: ${(err as Error).message}`);
      }
      if (!st.isDirectory()) throw new UserError('io', `the vault path ${home} exists but is not a folder`);
    }
    return new Vault(home);
  }

  path(...parts: string[]): string {
    return join(this.home, ...parts);
  }

  exists(): boolean {
    return existsSync(this.path('inventory.json'));
  }

  read(): Inventory {
    const file = this.path('inventory.json');
    if (!existsSync(file)) return emptyInventory();
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UserError('vault-corrupt', `the vault inventory ${file} is not valid JSON (${(err as Error).message}); restore it from a backup`);
    }
    const version = (raw as { schema?: unknown } | null)?.schema;
    if (typeof version === 'number' && version > SCHEMA_VERSION) {
      throw new UserError('vault-corrupt', `this vault was written by a newer Cluster Trust (schema ${version}); upgrade the app`);
    }
    const parsed = inventorySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError('vault-corrupt', `the vault inventory ${file} is damaged at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  }

  readText(relPath: string): string {
    try {
      return readFileSync(this.path(relPath), 'utf8');
    } catch (err) {
      throw new UserError('vault-corrupt', `the vault is missing ${relPath} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }

  readPack(id: string): Pack {
    const parsed = packSchema.safeParse(JSON.parse(this.readText(`packs/${id}.json`)));
    if (!parsed.success) throw new UserError('vault-corrupt', `the vault file packs/${id}.json is damaged`);
    return parsed.data;
  }

  /** Fails early, with the same message a write would give, before an operation does costly work. */
  assertWritable(): void {
    try {
      ensurePrivateDir(this.home);
      accessSync(this.home, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const what = `the vault folder ${this.home} is not writable (${code || (err as Error).message})`;
      throw new UserError('io', `${what}; choose another with --home or CLUSTER_TRUST_HOME`, `${what}; start the app with CLUSTER_TRUST_HOME set to a writable folder`);
    }
  }

  async update<T>(change: (inv: Inventory, tx: Transaction) => Promise<T> | T): Promise<T> {
    this.assertWritable();
    let release: () => void;
    try {
      release = await acquireLock(this.path('.lock'));
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError('io', `cannot lock the vault in ${this.home}: ${(err as Error).message}`);
    }
    try {
      const inv = this.read();
      const tx = new Transaction();
      const result = await change(inv, tx);
      const dirs = new Set<string>();
      for (const f of tx.files) {
        const dir = join(this.home, f.relPath, '..');
        ensurePrivateDir(dir);
        writeFileAtomic(this.path(f.relPath), f.data, f.mode, { syncDir: false });
        dirs.add(dir);
      }
      for (const dir of dirs) fsyncDir(dir);
      const checked = inventorySchema.parse(inv);
      writeFileAtomic(this.path('inventory.json'), `${JSON.stringify(checked, null, 1)}\n`, 0o600);
      return result;
    } catch (err) {
      if (err instanceof UserError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC') {
        throw new UserError('io', `cannot write the vault in ${this.home} (${code}); nothing was changed`);
      }
      throw err;
    } finally {
      release();
    }
  }
}
