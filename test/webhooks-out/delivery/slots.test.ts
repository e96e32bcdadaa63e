/** Slots: at most `size` holders at once, waiters served in order, a double release gives back one slot only. */
import { Slots } from '../../../src/webhooks-out/delivery/slots';

test('never more than size at once; waiters in arrival order; the slot passes straight on', async () => {
  const slots = new Slots(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const task = async (i: number, ms: number) => {
    const release = await slots.acquire();
    running++;
    peak = Math.max(peak, running);
    order.push(i);
    await new Promise((r) => setTimeout(r, ms));
    running--;
    release();
  };
  await Promise.all([task(0, 30), task(1, 10), task(2, 5), task(3, 5), task(4, 5)]);
  expect(peak).toBe(2);
  expect(order).toEqual([0, 1, 2, 3, 4]);
  expect(slots.inUse).toBe(0);
});

test('releasing twice gives back one slot', async () => {
  const slots = new Slots(1);
  const release = await slots.acquire();
  release();
  release();
  const a = await slots.acquire();
  let second = false;
  void slots.acquire().then(() => { second = true; });
  await new Promise((r) => setTimeout(r, 10));
  expect(second).toBe(false);
  a();
  await new Promise((r) => setTimeout(r, 0));
  expect(second).toBe(true);
});
