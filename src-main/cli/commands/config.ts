import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildNodeBundle, currentCert, type NodeBundle } from '../../core/bundle.ts';
import { invalid } from '../../errors.ts';
import { writeBundleDir } from '../../bundle/write.ts';
import { PROFILES } from '../../profiles/index.ts';
import { profileFilesFor, shownProfileFiles } from '../../core/node-files.ts';
import { nodesWithProfile } from '../../profiles/peers.ts';
import { maelstrom } from '../../profiles/maelstrom.ts';
import { maelstromRotate, pairFileBase, readMaelstromKeys } from '../../core/maelstrom-keys.ts';
import { intOption, one } from '../args.ts';
import { table } from '../format.ts';
import type { Command } from '../command.ts';

function eku(server: boolean, client: boolean): string {
  return [server && 'serverAuth', client && 'clientAuth'].filter(Boolean).join(' + ');
}

/** Refuses an output folder that exists with content, before anything changes. */
function checkEmptyOut(out: string): string {
  const dir = resolve(out);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw invalid(`${dir} exists and is not a folder`);
    if (readdirSync(dir).length > 0) throw invalid(`${dir} is not empty; choose a new folder`);
  }
  return dir;
}

export const configCommands: Command[] = [
  {
    words: ['node', 'config'],
    usage: 'node config NAME',
    summary: 'print the config files a node\'s profile adds to its bundle (private keys are only written by `bundle`)',
    async run(ctx, args) {
      if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${this.usage}`);
      const r = await profileFilesFor(ctx, args.positionals[0]!);
      const files = shownProfileFiles(r);
      const head = [
        `node ${r.node.name}: profile ${r.profile.id} (${r.profile.title})`,
        `install folder: ${r.installDir}${r.verifyPort ? `, verify port ${r.verifyPort}` : ''}`,
        `certificate: ${eku(r.node.server, r.node.client)}${r.node.loopback ? ', always with 127.0.0.1 and localhost' : ''}`,
      ];
      const body = files.map((f) => f.secret
        ? `==> ${f.installPath} (${f.description})\n[private key: only written into the bundle, mode 0600: \`cluster-trust bundle ${r.node.name} --out DIR\`]`
        : `==> ${f.installPath} (${f.description})\n${(f.content ?? '').replace(/\n$/, '')}`);
      return {
        human: [...head, '', ...(body.length ? body : ['this profile adds no files: the bundle holds ca.crt, node.crt and node.key'])].join('\n'),
        json: { node: r.node.name, profile: r.profile.id, installDir: r.installDir, verifyPort: r.verifyPort ?? null, files },
      };
    },
  },
  {
    words: ['profile', 'list'],
    usage: 'profile list',
    summary: 'list the system profiles, what certificate each needs, and its settings',
    async run() {
      return {
        human: PROFILES.map((p) => [
          `${p.id}: ${p.title}`,
          `    certificate ${eku(p.server, p.client)}${p.loopback ? ', SANs always with 127.0.0.1 and localhost' : ''}; installs to ${p.defaultDest}${p.verifyPort ? `; verify port ${p.verifyPort}` : ''}`,
          ...(p.options ?? []).map((o) => `    --set ${o.key}=...  ${o.help}${o.default !== undefined ? ` (default ${o.default})` : ''}`),
        ].join('\n')).join('\n'),
        json: PROFILES.map((p) => ({ id: p.id, title: p.title, server: p.server, client: p.client, loopback: p.loopback, defaultDest: p.defaultDest, verifyPort: p.verifyPort ?? null, options: p.options ?? [] })),
      };
    },
  },
  {
    words: ['maelstrom', 'rotate'],
    usage: 'maelstrom rotate [--days N] [--out DIR]',
    summary: 'rotate the Maelstrom key pairs (a->c, b->a, new b; the first run creates a and b); --out writes every Maelstrom node\'s new bundle to DIR/NAME',
    options: [{ name: 'days', value: true }, { name: 'out', value: true }],
    async run(ctx, args, io) {
      if (args.positionals.length !== 0) throw invalid(`usage: cluster-trust ${this.usage}`);
      const outArg = one(args, 'out');
      const out = outArg !== undefined ? checkEmptyOut(outArg) : undefined;
      const nodes = nodesWithProfile(ctx.vault.read(), maelstrom.id);
      // Every bundle must be writable after the rotation: check their certificates first.
      if (out) for (const n of nodes) currentCert(ctx, n.name);
      const result = await maelstromRotate(ctx, { days: intOption(args, 'days') });
      const written: string[] = [];
      if (out) {
        const bundles: NodeBundle[] = [];
        for (const n of nodes) bundles.push(await buildNodeBundle(ctx, n.name));
        mkdirSync(out, { recursive: true, mode: 0o700 });
        for (const b of bundles) {
          written.push(writeBundleDir(b.files, join(out, b.node.name)));
          io.progress(`wrote ${b.node.name}`);
        }
      }
      const rows = result.pairs.map((p) => [`${pairFileBase(p.slot)}`, p.slot === 'a' ? 'active' : p.slot === 'b' ? 'next' : 'previous', p.serial, p.notAfter]);
      const nodeLine = nodes.length
        ? `${out ? 'wrote new bundles for' : 'push new bundles to every Maelstrom node together:'} ${nodes.map((n) => n.name).join(', ')}`
        : 'no Maelstrom nodes in the inventory yet';
      return {
        human: `${result.created ? 'created' : 'rotated'} the Maelstrom key pairs (generation ${result.generation})\n${table(['PAIR', 'ROLE', 'SERIAL', 'NOT AFTER'], rows)}\n${nodeLine}`,
        json: { ...result, nodes: nodes.map((n) => n.name), written },
      };
    },
  },
  {
    words: ['maelstrom', 'keys'],
    usage: 'maelstrom keys',
    summary: 'show the Maelstrom key pairs every Maelstrom node carries',
    async run(ctx) {
      const set = readMaelstromKeys(ctx.vault);
      if (!set) return { human: 'no Maelstrom key pairs yet: run `cluster-trust maelstrom rotate` to create them', json: null };
      const pairs = set.pairs.map(({ key: _k, cert: _c, ...info }) => info).sort((a, b) => a.slot.localeCompare(b.slot));
      return {
        human: `generation ${set.generation}\n${table(['PAIR', 'SERIAL', 'NOT AFTER', 'SHA-256'], pairs.map((p) => [pairFileBase(p.slot), p.serial, p.notAfter, p.fingerprint]))}`,
        json: { generation: set.generation, pairs },
      };
    },
  },
];
