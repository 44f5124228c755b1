import type { PermittedNames } from '../core/ca.ts';
import type { PermitRequest } from './contract.ts';

/** The renderer's permitted-name fields as core takes them: both absent means "no constraints asked". */
export function permitOf(req: PermitRequest): PermittedNames | undefined {
  if (req.permitDns === undefined && req.permitIps === undefined) return undefined;
  return { dns: req.permitDns ?? [], ips: req.permitIps ?? [] };
}
