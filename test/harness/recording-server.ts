/**
 * A local HTTP server for client tests: every request is recorded whole (method, URL, headers, body) in `hits`,
 * then `answer` writes the response — or does nothing, and the request hangs until the client gives up.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit { url: string; method: string; headers: Record<string, unknown>; body: string }

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  hits: Hit[];
  close(): Promise<void>;
}

/** Starts the server on a free loopback port; `answer` runs once the request body has arrived. */
export async function startRecordingServer(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<RecordingServer> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
