import { readFileSync } from 'node:fs';
import { request } from 'node:https';

/** One HTTPS GET on loopback from a client that trusts only caFile (names checked by the constraint test, not here). */
export function fetchWithCa(port: number, servername: string, caFile: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, servername, path: '/', ca: readFileSync(caFile), checkServerIdentity: () => undefined }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
