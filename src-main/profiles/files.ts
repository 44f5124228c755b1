import { yaml } from '../libs/yaml.ts';
import type { BundleFile, ProfileContext } from './types.ts';

/** The first line of every generated text file (all our formats take `#` comments, JSON excepted). */
export function headerLines(ctx: ProfileContext, what: string): string[] {
  return [`# ${what}`, `# Written by Cluster Trust for node "${ctx.node.name}" (profile ${ctx.node.profile}); paths point at ${ctx.installDir}.`];
}

export function textFile(path: string, lines: string[], description: string, mode = 0o644): BundleFile {
  return { path, content: `${lines.join('\n')}\n`, mode, description };
}

/** A POSIX sh script that stops at the first failing command. */
export function shellScript(path: string, ctx: ProfileContext, what: string, commands: string[], description: string): BundleFile {
  return textFile(path, ['#!/bin/sh', ...headerLines(ctx, what), 'set -e', ...commands], description, 0o755);
}

/** YAML with every string double-quoted, as the Bacalhau guides write it. */
export function yamlFile(path: string, ctx: ProfileContext, what: string, value: unknown, description: string, notes: string[] = []): BundleFile {
  const body = yaml.stringify(value, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
  return { path, content: `${[...headerLines(ctx, what), ...notes.map((n) => `# ${n}`)].join('\n')}\n${body}`, mode: 0o644, description };
}

export function jsonFile(path: string, value: unknown, description: string): BundleFile {
  return { path, content: `${JSON.stringify(value, null, 2)}\n`, mode: 0o644, description };
}
