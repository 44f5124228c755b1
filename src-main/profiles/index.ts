import { invalid } from '../core/errors.ts';
import type { Profile } from './types.ts';
import { genericServer } from './generic-server.ts';
import { genericClient } from './generic-client.ts';

/** Every profile, by id. Adding a system is adding one file and one line here. */
export const PROFILES: readonly Profile[] = [genericServer, genericClient];

export const DEFAULT_PROFILE_ID = genericServer.id;

export function profileIds(): string[] {
  return PROFILES.map((p) => p.id);
}

export function getProfile(id: string): Profile {
  const profile = PROFILES.find((p) => p.id === id);
  if (!profile) throw invalid(`unknown profile "${id}"; known profiles: ${profileIds().join(', ')}`);
  return profile;
}
