import { invalid } from '../errors.ts';
import type { NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';
import { checkKnownOptions } from './options.ts';
import { genericServer } from './generic-server.ts';
import { genericClient } from './generic-client.ts';
import { bacalhauOrchestrator } from './bacalhau-orchestrator.ts';
import { bacalhauCompute } from './bacalhau-compute.ts';
import { bacalhauApi } from './bacalhau-api.ts';
import { natsServer } from './nats-server.ts';
import { natsClient } from './nats-client.ts';
import { maelstrom } from './maelstrom.ts';
import { clusterioController } from './clusterio-controller.ts';
import { clusterioHost } from './clusterio-host.ts';
import { clusterioCtl } from './clusterio-ctl.ts';
import { hosterHa } from './hoster-ha.ts';
import { reverseProxy } from './reverse-proxy.ts';

/** Unknown keys and bad values are refused before any file is made, whoever asks for the files. */
function checked(profile: Profile): Profile {
  return {
    ...profile,
    checkOptions(node) {
      checkKnownOptions(profile, node);
      profile.checkOptions?.(node);
    },
    files(ctx) {
      checkKnownOptions(profile, ctx.node);
      profile.checkOptions?.(ctx.node);
      return profile.files(ctx);
    },
  };
}

/** Every profile, by id. Adding a system is adding one file and one line here. */
export const PROFILES: readonly Profile[] = [
  genericServer,
  genericClient,
  bacalhauOrchestrator,
  bacalhauCompute,
  bacalhauApi,
  natsServer,
  natsClient,
  maelstrom,
  clusterioController,
  clusterioHost,
  clusterioCtl,
  hosterHa,
  reverseProxy,
].map(checked);

export const DEFAULT_PROFILE_ID = genericServer.id;

export function profileIds(): string[] {
  return PROFILES.map((p) => p.id);
}

export function getProfile(id: string): Profile {
  const profile = PROFILES.find((p) => p.id === id);
  if (!profile) throw invalid(`unknown profile "${id}"; known profiles: ${profileIds().join(', ')}`);
  return profile;
}

/** Validates a node's options against its profile (for `node add/edit`, before anything is stored). */
export function checkNodeOptions(node: NodeRecord): void {
  getProfile(node.profile).checkOptions?.(node);
}

/**
 * The EKUs a node's certificate gets: its own choice plus what its profile forces now, so a node
 * stored before its profile asked for more (nats-server's clientAuth for routes) gets it at renewal.
 */
export function ekuOf(node: NodeRecord): { server: boolean; client: boolean } {
  const profile = PROFILES.find((p) => p.id === node.profile);
  return { server: node.server || Boolean(profile?.server), client: node.client || Boolean(profile?.client) };
}

/** The required settings of its profile a node leaves unset. */
export function missingSettings(node: NodeRecord): string[] {
  const profile = PROFILES.find((p) => p.id === node.profile);
  return (profile?.options ?? []).filter((o) => o.required && !node.options[o.key]?.trim()).map((o) => o.key);
}

/** Where the node's bundle goes on the node: its own --dest, else its profile's folder. */
export function installDirOf(node: NodeRecord): string {
  return node.dest ?? getProfile(node.profile).defaultDest;
}

/** The port to check after a push: the node's own choice, else what its profile and options say. */
export function verifyPortOf(node: NodeRecord): number | undefined {
  if (node.verifyPort !== undefined) return node.verifyPort;
  const profile = getProfile(node.profile);
  return profile.verifyPortFor?.(node) ?? profile.verifyPort;
}
