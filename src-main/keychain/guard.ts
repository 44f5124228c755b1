import { UserError } from '../errors.ts';

export function keychainUnavailable(detail: string): UserError {
  return new UserError('keychain-unavailable', `the OS keychain is not reachable (${detail})`);
}

/** Any failure of the binding (no D-Bus, locked keychain, denied) is one clear error. */
export async function guardKeychainCall<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = err as Error & { cause?: Error };
    // napi-rs nests the real reason; the innermost one is the readable one.
    let inner: Error = e;
    while (inner.cause instanceof Error) inner = inner.cause;
    throw keychainUnavailable(inner.message.split('\n')[0] || 'unknown error');
  }
}
