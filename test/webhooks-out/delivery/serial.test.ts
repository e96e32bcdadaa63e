/** KeyedSerial: same key one after another in start order, other keys in parallel, a failure does not stop the line. */
import { KeyedSerial } from '../../../src/webhooks-out/delivery/serial';

test('same key: in start order, never overlapping; other keys run meanwhile; a rejection does not block the next', async () => {
  const serial = new KeyedSerial();
  const log: string[] = [];
  const task = (name: string, ms: number, fail = false) => async () => {
    log.push(`start ${name}`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`end ${name}`);
    if (fail) throw new Error(name);
    return name;
  };
  const a1 = serial.run('a', task('a1', 40, true));
  const a2 = serial.run('a', task('a2', 5));
  const b1 = serial.run('b', task('b1', 5));
  await expect(a1).rejects.toThrow('a1');
  await expect(a2).resolves.toBe('a2');
  await expect(b1).resolves.toBe('b1');
  expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
  expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
});
