import { appHandlers } from './app.ts';
import { caHandlers } from './ca.ts';
import { nodeHandlers } from './nodes.ts';
import { certHandlers } from './certs.ts';
import { trustHandlers } from './trust.ts';
import { profileHandlers } from './profiles.ts';
import { lifecycleHandlers } from './lifecycle.ts';
import { pushHandlers } from './push.ts';
import { rotationHandlers } from './rotation.ts';
import type { InvokeSection, InvokeSections } from '../contract.ts';
import type { Host } from '../host.ts';
import type { HandlerSection, Handlers } from './types.ts';

export type SectionHandlers = { [S in InvokeSection]: HandlerSection<InvokeSections[S]> };

/** Each contract section's handlers, from its own file (a missing section is a compile error). */
export function createSectionHandlers(host: Host): SectionHandlers {
  return {
    app: appHandlers(host),
    ca: caHandlers(host),
    nodes: nodeHandlers(host),
    certs: certHandlers(host),
    trust: trustHandlers(host),
    profiles: profileHandlers(host),
    lifecycle: lifecycleHandlers(host),
    push: pushHandlers(host),
    rotation: rotationHandlers(host),
  };
}

/** The plain registry: one handler per channel (a missing one is a compile error). */
export function createHandlers(host: Host): Handlers {
  const s = createSectionHandlers(host);
  return { ...s.app, ...s.ca, ...s.nodes, ...s.certs, ...s.trust, ...s.profiles, ...s.lifecycle, ...s.push, ...s.rotation };
}

export type { Handlers } from './types.ts';
