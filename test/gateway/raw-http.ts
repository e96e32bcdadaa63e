/** Raw HTTP/1.1 over a TCP socket, for requests `fetch` will not send: odd methods and targets, trickled headers and bodies, parser-breaking bytes. */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The parsed JSON body, or undefined. */
  json: Record<string, unknown> | undefined;
  /** True when the server closed the connection. */
  closed: boolean;
}

/**
 * Writes `parts` to 127.0.0.1:`port` — strings written at once, numbers as pauses (ms) — and resolves
 * with the first response once the server closes the connection or `waitMs` passed after it began.
 */
export function rawRequest(port: number, parts: Array<string | Buffer | number>, waitMs = 15_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let closed = false;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) { reject(new Error(`no HTTP response (got ${JSON.stringify(text.slice(0, 200))}, closed: ${closed})`)); return; }
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let body = text.slice(split + 4);
      const length = headers['content-length'];
      if (length !== undefined) body = Buffer.from(body).subarray(0, Number(length)).toString('utf8');
      let json: Record<string, unknown> | undefined;
      try { json = JSON.parse(body) as Record<string, unknown>; } catch { /* not JSON */ }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, json, closed });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const m = /content-length:\s*(\d+)/i.exec(text.slice(0, split));
      // a complete answer that keeps the connection open: give the server a moment to close it
      if (split >= 0 && m && Buffer.byteLength(text.slice(split + 4)) >= Number(m[1])) setTimeout(finish, 300);
    });
    socket.on('close', () => { closed = true; finish(); });
    socket.on('error', () => { closed = true; finish(); });
    socket.on('connect', async () => {
      for (const part of parts) {
        if (done || socket.destroyed) return;
        if (typeof part === 'number') await new Promise((r) => setTimeout(r, part));
        else socket.write(part);
      }
    });
  });
}
