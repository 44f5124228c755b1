/** Where a CA's files live in the vault (<id> = first 16 hex digits of the certificate's SHA-256). */
export const caCertPath = (id: string): string => `cas/${id}/ca.crt`;
export const caKeyPath = (id: string): string => `cas/${id}/ca.key`;
/** A two-tier root's files (the key is gone after `ca root remove`). */
export const rootCertPath = (id: string): string => `roots/${id}/root.crt`;
export const rootKeyPath = (id: string): string => `roots/${id}/root.key`;
