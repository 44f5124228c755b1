import { accessSync, closeSync, constants, existsSync, fstatSync, openSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileAtomic, ensurePrivateDir, fsyncDir } from './atomic.ts';
import { acquireLock } from './lock.ts';
import { migrateInventory } from './migrate.ts';
import { emptyInventory, inventorySchema, packSchema, SCHEMA_VERSION, type CaRecord, type CertRecord, type Inventory, type NodeRecord, type Pack, type RootRecord } from './schema.ts';
import { UserError } from '../errors.ts';
import { inventoryText, listIn, nodeLinesIn, nodeRecordsIn, type RecordLine } from './inventory-text.ts';
import { assertOnlyAdded, mergeScope, scopeOf, spliceScope, type NodeScope } from './node-scope.ts';

export interface PendingFile {
  relPath: string;
  data: string | Buffer;
  mode: number;
}

/**
 * Freezes the snapshot's root and its lists, so a reader cannot add, drop or reorder records of the
 * shared copy (freezing every record would cost more than the read saves). Changes go through `update`.
 */
function freezeSnapshot(inv: Inventory): Inventory {
  Object.freeze(inv.cas);
  Object.freeze(inv.roots);
  Object.freeze(inv.nodes);
  Object.freeze(inv.certs);
  return Object.freeze(inv);
}

const sha256 = (data: string | Buffer | readonly Buffer[]): string => {
  const hash = createHash('sha256');
  for (const part of typeof data === 'string' || Buffer.isBuffer(data) ? [data] : data) hash.update(part);
  return hash.digest('hex');
};

/** A node scope from the lines located in the checked file; its CAs and roots frozen (read only). */
function scopeIn(file: Buffer, lines: { nodes: Array<RecordLine<NodeRecord>>; certs: Array<RecordLine<CertRecord>> }): NodeScope {
  const frozen = <T extends object>(list: T[]): readonly T[] => Object.freeze(list.map((r) => Object.freeze(r)));
  return { cas: frozen(listIn<CaRecord>(file, 'cas')), roots: frozen(listIn<RootRecord>(file, 'roots')), nodes: lines.nodes.map((l) => l.record), certs: lines.certs.map((l) => l.record) };
}

/** What identifies one version of a file on disk: a replaced or edited file changes its inode, size or ctime. */
const statKey = (st: BigIntStats): string => `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;

/**
 * Beside the inventory: the SHA-256 of the last inventory.json this code wrote (already
 * schema-checked), then a line with that file's inode, size and times as it landed. A file that
 * still has them is those bytes (any write changes its ctime), so it is not even hashed again.
 */
export const CHECKED_STAMP = '.inventory.sha256';

/**
 * Derived files beside the inventory (views the core computes from it, e.g. `.view-nodes.json`):
 * each starts with the stamp (inode, size, times) of the inventory it was computed from and is used
 * only while inventory.json still has that stamp. Not content: backups leave them out.
 */
export const DERIVED_PREFIX = '.view-';

/** Files a transaction writes before the inventory that refers to them. */
/**
 * The error for a vault file that is truncated or damaged: it names the file and the way out
 * (`restore` with --force moves the damaged vault aside rather than deleting it).
 */
export function damagedFile(file: string, problem: string): UserError {
  return new UserError('vault-corrupt', `the vault file ${file} ${problem}; restore the vault from a backup (\`cluster-trust restore BACKUP --force\`)`);
}

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
  private cached?: { stamp: string; inventory: Inventory };
  /** The checked inventory file's bytes, by its stamp (see checkedFile). */
  private checkedBytes?: { landed: string; file: Buffer };
  /** The lines last located in them (a command reads its nodes, then changes them). */
  private locatedLines?: { file: Buffer; names: string; lines: NonNullable<ReturnType<typeof nodeLinesIn>> };

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

  /**
   * The inventory as on disk, one shared snapshot (frozen lists; never change it, use `update`):
   * parsed and validated once per change of the file (its inode, size and times), so views that
   * read it on every call cost nothing until the vault changes.
   */
  read(): Inventory {
    const stamp = this.currentStamp();
    if (stamp === undefined) return this.readFresh(); // missing: empty; unreadable: the same error as ever
    if (this.cached?.stamp === stamp) return this.cached.inventory;
    // Stat before reading: a file replaced in between only costs one more parse on the next call.
    const inventory = freezeSnapshot(this.readFresh());
    this.cached = { stamp, inventory };
    return inventory;
  }

  /**
   * `read()` and the stamp of the file version it came from (null for a vault with no inventory
   * yet), for a derived file computed from it (`writeDerived`).
   */
  readStamped(): { inventory: Inventory; stamp: string | null } {
    const inventory = this.read();
    return { inventory, stamp: this.cached?.inventory === inventory ? this.cached.stamp : null };
  }

  /**
   * The snapshot `read()` keeps, if inventory.json has not changed since (a process that reads often,
   * like the app's main process, has one); undefined otherwise, without reading the file.
   */
  keptSnapshot(): Inventory | undefined {
    return this.cached && this.currentStamp() === this.cached.stamp ? this.cached.inventory : undefined;
  }

  /** The stamp (inode, size, times) inventory.json has now; undefined when it cannot be stat'ed. */
  private currentStamp(): string | undefined {
    try {
      return statKey(statSync(this.path('inventory.json'), { bigint: true }));
    } catch {
      return undefined;
    }
  }

  /** The derived file `name` (DERIVED_PREFIX...), parsed, if it was computed from the inventory as it is now; else undefined. */
  readDerived(name: string): unknown {
    const now = this.currentStamp();
    if (now === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(this.path(name), 'utf8');
    } catch {
      return undefined;
    }
    const nl = text.indexOf('\n');
    if (nl < 0 || text.slice(0, nl) !== now) return undefined;
    try {
      return JSON.parse(text.slice(nl + 1));
    } catch {
      return undefined; // damaged (a crash mid-write): computed again
    }
  }

  /**
   * Stores a derived file for the inventory version `stamp`. Best effort and not durable (no fsync):
   * a lost or torn one is only computed again; a read-only vault simply keeps none.
   */
  writeDerived(name: string, stamp: string, data: string): void {
    if (!name.startsWith(DERIVED_PREFIX) || name.includes('/')) throw new Error(`not a derived file name: ${name}`);
    try {
      writeFileAtomic(this.path(name), `${stamp}\n${data}`, 0o600, { syncDir: false, durable: false });
    } catch {
      // see above
    }
  }

  /**
   * One node's record and certificates (in inventory order) without parsing the whole inventory,
   * when inventory.json is the very file the last `update` checked and wrote; undefined otherwise
   * (no such node, another schema, a file changed by hand): then read it in full.
   */
  readNodeRecords(name: string): { node: NodeRecord; certs: CertRecord[] } | undefined {
    const file = this.checkedFile();
    return file && nodeRecordsIn(file, name);
  }

  /**
   * inventory.json's bytes when it is the very file the last `update` checked and wrote (its stamp,
   * not its hash: no need to decode it all) in this schema; undefined otherwise (missing, changed by
   * hand, another schema): then it is read in full.
   */
  private checkedFile(): Buffer | undefined {
    let fd: number;
    try {
      fd = openSync(this.path('inventory.json'), 'r');
    } catch {
      return undefined; // missing or unreadable: the full read says which
    }
    try {
      const landed = this.checkedStamp()?.landed;
      if (!landed || landed !== statKey(fstatSync(fd, { bigint: true }))) return undefined;
      if (this.checkedBytes?.landed === landed) return this.checkedBytes.file; // a command reads it, then changes it
      const file = readFileSync(fd);
      if (!file.subarray(0, 40).toString('latin1').startsWith(`{\n"schema": ${SCHEMA_VERSION},\n`)) return undefined;
      this.checkedBytes = { landed, file };
      return file;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The named nodes with their certificates, the CAs and the roots (see NodeScope), reading only
   * their lines when the file is the checked one; read-only (change them with `updateNodes`).
   */
  readNodes(names: readonly string[]): NodeScope {
    const file = this.checkedFile();
    const lines = file && this.nodeLines(file, [...new Set(names)]);
    return file && lines ? scopeIn(file, lines) : scopeOf(this.read(), names);
  }

  /** nodeLinesIn, with records of their own for each caller (they are changed in place). */
  private nodeLines(file: Buffer, names: string[]): ReturnType<typeof nodeLinesIn> {
    const key = names.join('\n');
    if (this.locatedLines?.file !== file || this.locatedLines.names !== key) {
      const lines = nodeLinesIn(file, names);
      if (!lines) return undefined;
      this.locatedLines = { file, names: key, lines };
    }
    const { nodes, certs, certsEnd } = this.locatedLines.lines;
    const copy = <T>(l: RecordLine<T>): RecordLine<T> => ({ ...l, record: structuredClone(l.record) });
    return { nodes: nodes.map(copy), certs: certs.map(copy), certsEnd };
  }

  /**
   * `update` for a change to a few nodes (NodeScope): on the checked file it parses, checks and
   * rewrites only their lines, so one node's change does not cost the whole inventory's. Otherwise
   * (a file changed by hand, an older schema) the whole inventory is read and checked as `update` does.
   */
  async updateNodes<T>(names: readonly string[], change: (scope: NodeScope, tx: Transaction) => Promise<T> | T): Promise<T> {
    const wanted = [...new Set(names)];
    return this.transact(async (tx) => {
      const file = this.checkedFile();
      const lines = file && this.nodeLines(file, wanted);
      if (!file || !lines) {
        const inv = this.readFresh();
        const scope = scopeOf(inv, wanted);
        const before = { nodes: [...scope.nodes], certs: [...scope.certs] };
        const result = await change(scope, tx);
        assertOnlyAdded(before, scope);
        mergeScope(inv, before.certs.length, scope);
        return { result, inventory: inventoryText(inventorySchema.parse(inv)) };
      }
      const scope = scopeIn(file, lines);
      const before = { nodes: [...scope.nodes], certs: [...scope.certs] };
      const result = await change(scope, tx);
      assertOnlyAdded(before, scope);
      return { result, inventory: spliceScope(file, lines, scope) };
    });
  }

  /** A private, mutable copy read from disk now (what `update` changes). */
  private readFresh(): Inventory {
    const file = this.path('inventory.json');
    if (!existsSync(file)) return emptyInventory();
    // Text and identity from one open file, so the identity is that of the text read. Read as text
    // directly: a 7 MB Buffer and its copy as a string cost a tenth of a 10,000-node `status`.
    const { text, seen } = this.readInventoryText();
    const raw = this.parseJson('inventory.json', text);
    const version = (raw as { schema?: unknown } | null)?.schema;
    if (typeof version === 'number' && version > SCHEMA_VERSION) {
      throw new UserError('vault-corrupt', `this vault was written by a newer Cluster Trust (schema ${version}); upgrade the app`);
    }
    // The exact bytes `update` wrote after checking them: the schema would return them unchanged.
    if (version === SCHEMA_VERSION && this.isChecked(text, seen)) return raw as Inventory;
    // An older vault is migrated in memory on every read; its next write stores the new schema.
    const parsed = inventorySchema.safeParse(migrateInventory(raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw damagedFile(file, `is damaged at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  }

  /**
   * Whether this inventory text is the one the last `update` checked and wrote. (The hash is of its
   * UTF-8 encoding, which is the file's bytes unless they were not valid UTF-8: then it differs, and
   * the text gets the full schema check.)
   */
  private isChecked(text: string, seen: string): boolean {
    const stamp = this.checkedStamp();
    if (!stamp) return false;
    if (stamp.landed === seen) return true;
    return stamp.hash === sha256(text);
  }

  /** CHECKED_STAMP's two lines, if it is there. */
  private checkedStamp(): { hash: string; landed: string | undefined } | null {
    try {
      const [hash, landed] = readFileSync(this.path(CHECKED_STAMP), 'utf8').split('\n');
      return { hash: hash ?? '', landed };
    } catch {
      return null;
    }
  }

  readText(relPath: string): string {
    return this.readBytes(relPath).toString('utf8');
  }

  private readInventoryText(): { text: string; seen: string } {
    let fd: number;
    try {
      fd = openSync(this.path('inventory.json'), 'r');
    } catch (err) {
      throw damagedFile(this.path('inventory.json'), `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    try {
      const seen = statKey(fstatSync(fd, { bigint: true }));
      return { text: readFileSync(fd, 'utf8'), seen };
    } catch (err) {
      throw damagedFile(this.path('inventory.json'), `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    } finally {
      closeSync(fd);
    }
  }

  private readBytes(relPath: string): Buffer {
    try {
      return readFileSync(this.path(relPath));
    } catch (err) {
      throw damagedFile(this.path(relPath), `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }

  /**
   * A vault JSON file, parsed. A truncated or damaged one (a disk fault, a hand edit) is a user
   * error naming the file and the way out, not a parser message without a file name.
   */
  readJson(relPath: string): unknown {
    return this.parseJson(relPath, this.readText(relPath));
  }

  private parseJson(relPath: string, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw damagedFile(this.path(relPath), `is not valid JSON (${(err as Error).message})`);
    }
  }

  readPack(id: string): Pack {
    const parsed = packSchema.safeParse(this.readJson(`packs/${id}.json`));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw damagedFile(this.path('packs', `${id}.json`), `is damaged at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
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
    return this.transact(async (tx) => {
      const inv = this.readFresh();
      const result = await change(inv, tx);
      return { result, inventory: inventoryText(inventorySchema.parse(inv)) };
    });
  }

  /**
   * Under the lock: `body` reads and changes the inventory and returns its new, checked text; the
   * transaction's files are written first, then inventory.json replaces the old one atomically.
   */
  private async transact<T>(body: (tx: Transaction) => Promise<{ result: T; inventory: string | Buffer[] }>): Promise<T> {
    this.assertWritable();
    let release: () => void;
    try {
      release = await acquireLock(this.path('.lock'));
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError('io', `cannot lock the vault in ${this.home}: ${(err as Error).message}`);
    }
    try {
      const tx = new Transaction();
      const { result, inventory } = await body(tx);
      const dirs = new Set<string>();
      for (const f of tx.files) {
        const dir = join(this.home, f.relPath, '..');
        ensurePrivateDir(dir);
        writeFileAtomic(this.path(f.relPath), f.data, f.mode, { syncDir: false });
        dirs.add(dir);
      }
      for (const dir of dirs) fsyncDir(dir);
      writeFileAtomic(this.path('inventory.json'), inventory, 0o600);
      this.cached = undefined;
      this.checkedBytes = undefined;
      // After the inventory: a crash in between leaves a stale stamp, which only means a full check.
      const landed = statKey(statSync(this.path('inventory.json'), { bigint: true }));
      writeFileAtomic(this.path(CHECKED_STAMP), `${sha256(inventory)}\n${landed}`, 0o600, { syncDir: false });
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
