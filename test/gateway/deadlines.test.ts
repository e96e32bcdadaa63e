/** The gateway's shared deadline timer: each deadline fires once, on time, unless cancelled; cancelled ones never fire. */
import { addDeadline, cancelDeadline } from '../../src/gateway/deadlines';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('deadlines', () => {
  it('fires each deadline once, not before its time, and skips cancelled ones', async () => {
    const fired: string[] = [];
    const start = Date.now();
    const times: Record<string, number> = {};
    const hit = (name: string) => () => { fired.push(name); times[name] = Date.now() - start; };
    const long = addDeadline(150, hit('long'));
    const cancelled = addDeadline(30, hit('cancelled'));
    addDeadline(60, hit('short'));
    cancelDeadline(cancelled);
    await sleep(100);
    expect(fired).toEqual(['short']);
    expect(times.short).toBeGreaterThanOrEqual(59);
    await sleep(120);
    expect(fired).toEqual(['short', 'long']);
    expect(times.long).toBeGreaterThanOrEqual(149);
    cancelDeadline(long); // after it fired: harmless
    await sleep(20);
    expect(fired).toEqual(['short', 'long']);
  });

  it('an earlier deadline added while a later one is armed fires at its own time; a throwing callback does not stop the others', async () => {
    const fired: string[] = [];
    addDeadline(200, () => fired.push('late'));
    addDeadline(20, () => { throw new Error('boom'); });
    addDeadline(20, () => fired.push('early'));
    await sleep(80);
    expect(fired).toEqual(['early']);
    await sleep(170);
    expect(fired).toEqual(['early', 'late']);
  });
});
