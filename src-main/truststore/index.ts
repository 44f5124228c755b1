/**
 * Trust of our CA in this machine's stores, and the scripts that trust it on a node. The GUI and the
 * SSH push use only what is exported here.
 */
export { trustStatus, trustInstall, trustUninstall, CA_FILE_PLACEHOLDER, type TrustOptions } from './service.ts';
export { remoteTrustScript, detectOsScript, parseDetectedOs, REMOTE_OSES, type RemoteOs, type RemoteTrustPlan } from './remote.ts';
export { parseTrustedCa, type TrustedCa } from './ca-cert.ts';
export { STORE_KINDS, type StoreId, type StoreKind, type StoreResult, type StoreDatabase, type MissingTool } from './types.ts';
