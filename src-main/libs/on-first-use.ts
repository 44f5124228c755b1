import { createRequire } from 'node:module';

/**
 * The third-party libraries that cost the most to initialize (X.509 and ASN.1 schemas built with
 * decorators, node-forge, ssh2, tar, yaml) are loaded on first use, one file each here, so a bundle
 * holds only the ones its code names and the app's window or a CLI read never waits for the others.
 *
 * In the bundles each file's literal `require('...')` is esbuild's bundled copy of that library, run
 * on the first call; from source (tsx, where ES modules have no `require`) Node resolves it instead.
 */
export const bundled = typeof require === 'function';
export const fromSource = createRequire(import.meta.url);

/** A stand-in for the module `load` returns, which loads it when a property is first read. */
export function onFirstUse<T extends object>(load: () => T): T {
  let lib: T | undefined;
  const get = (): T => (lib ??= load());
  return new Proxy({} as T, {
    get: (_t, key) => Reflect.get(get(), key),
    has: (_t, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), key);
      return d && { ...d, configurable: true };
    },
  });
}
