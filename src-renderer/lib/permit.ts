import { splitList } from './names.ts';
import type { PermitRequest } from '../../src-main/ipc/contract.ts';

/** The permitted-name fields as main takes them; both empty sends neither (no constraints asked). */
export function permitRequest(dnsText: string, ipText: string): PermitRequest {
  const permitDns = splitList(dnsText);
  const permitIps = splitList(ipText);
  return permitDns.length + permitIps.length > 0 ? { permitDns, permitIps } : {};
}
