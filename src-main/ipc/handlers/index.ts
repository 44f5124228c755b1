import { appHandlers } from './app.ts';
import { caHandlers } from './ca.ts';
import { nodeHandlers } from './nodes.ts';
import { certHandlers } from './certs.ts';
import { trustHandlers } from './trust.ts';
import { profileHandlers } from './profiles.ts';
import { lifecycleHandlers } from './lifecycle.ts';
import { pushHandlers } from './push.ts';
import { rotationHandlers } from './rotation.ts';
import type { Host } from '../host.ts';
import type { Handlers } from './types.ts';

/** The plain registry: one handler per channel (a missing one is a compile error). */
export function createHandlers(host: Host): Handlers {
  return {
    ...appHandlers(host),
    ...caHandlers(host),
    ...nodeHandlers(host),
    ...certHandlers(host),
    ...trustHandlers(host),
    ...profileHandlers(host),
    ...lifecycleHandlers(host),
    ...pushHandlers(host),
    ...rotationHandlers(host),
  };
}

export type { Handlers } from './types.ts';
