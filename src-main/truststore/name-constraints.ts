/**
 * Whether the software that reads a store refuses what a root signs outside its nameConstraints,
 * so `trust status` never lets anyone believe in a protection their stack does not give.
 */
export interface NameConstraintSupport {
  enforced: boolean;
  /** Who reads the store and what they do with the constraints. */
  note: string;
}

export const SYSTEM_OPENSSL: NameConstraintSupport = { enforced: true, note: 'OpenSSL and GnuTLS clients (curl, Python, Node, Go, nginx, ...) enforce them' };
export const NSS_BROWSERS: NameConstraintSupport = { enforced: true, note: 'Chromium (112 and later) and Firefox enforce them' };
export const JAVA_PKIX: NameConstraintSupport = { enforced: false, note: 'Java ignores the constraints of a trusted root itself (it applies only an intermediate\'s)' };
export const APPLE_TRUST: NameConstraintSupport = { enforced: true, note: 'Apple\'s trust evaluation (Safari, URLSession) enforces them, as does Chrome' };
export const WINDOWS_CRYPTOAPI: NameConstraintSupport = { enforced: true, note: 'CryptoAPI (Edge, .NET, PowerShell) enforces them, as does Chrome' };
