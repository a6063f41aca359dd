// One landing answer of Mektep, kept as its header lines and body bytes, for the floors that
// send the same bytes (bare-http.ts, fastify-floor.ts). The lines Node adds to every answer
// itself (Date, Connection, Keep-Alive) are left for Node to add.
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';

const ADDED_BY_NODE = new Set(['date', 'connection', 'keep-alive']);

export interface LandingAnswer {
  /** Name and value, alternating, in the order Mektep wrote them (Node's `rawHeaders` form). */
  headers: string[];
  body: Buffer;
}

/** Asks `url` as wrk does (no cookie, no Accept-Encoding) and keeps the answer in `file`. */
export function captureLanding(url: string, file: string): Promise<LandingAnswer> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const headers: string[] = [];
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          if (!ADDED_BY_NODE.has(response.rawHeaders[i]!.toLowerCase())) headers.push(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
        }
        const answer = { headers, body: Buffer.concat(chunks) };
        writeFileSync(file, JSON.stringify({ headers, body: answer.body.toString('base64') }));
        resolve(answer);
      });
    }).on('error', reject);
  });
}

export function landingAnswer(file: string): LandingAnswer {
  const kept = JSON.parse(readFileSync(file, 'utf8')) as { headers: string[]; body: string };
  return { headers: kept.headers, body: Buffer.from(kept.body, 'base64') };
}
