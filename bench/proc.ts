/** What the benchmarks read of other processes on Linux (/proc): CPU time, resident memory, the pid of a server on a port. */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // CLK_TCK 100

/** CPU time (user + system) `pid` has used, in ms (10 ms ticks); NaN when it is gone. */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS; // fields 14 and 15 of stat
  } catch {
    return NaN;
  }
}

/** Resident memory of `pid` in MB; NaN when it is gone. */
export function procRssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The pid of the nats-server or redis-server listening on `port` (found by its command line; the test harness
 * does not expose it): redis-server rewrites its title to `redis-server 127.0.0.1:<port>`, nats-server keeps `-p <port>`.
 */
export function serverPid(port: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split(/[\0 ]/);
      if (/(nats|redis)-server/.test(args[0]!) && (args.includes(String(port)) || args.some((a) => a.endsWith(`:${port}`)))) return Number(entry);
    } catch { /* gone */ }
  }
  throw new Error(`no nats-server or redis-server process on port ${port}`);
}
