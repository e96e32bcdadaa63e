import { sharedTurn } from '../../../../src/integration/outbound/send/shared-turn';

describe('sharedTurn', () => {
  it('lets every waiter of a turn go in the same check phase, after the I/O of that loop turn', async () => {
    const order: string[] = [];
    const waits = [1, 2, 3].map((n) => sharedTurn().then(() => { order.push(`turn ${n}`); }));
    setImmediate(() => order.push('later immediate'));
    process.nextTick(() => order.push('tick'));
    await Promise.all(waits);
    expect(order).toEqual(['tick', 'turn 1', 'turn 2', 'turn 3']);
    await new Promise((r) => setImmediate(r));
    expect(order).toContain('later immediate');
  });

  it('a waiter that comes during a turn waits for the next one', async () => {
    const seen: number[] = [];
    await sharedTurn().then(async () => {
      seen.push(1);
      await sharedTurn();
      seen.push(2);
    });
    expect(seen).toEqual([1, 2]);
  });
});
