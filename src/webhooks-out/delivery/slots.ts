/** A cap on HTTP attempts in flight: `acquire()` waits (first come, first served) until one of `size` slots is free. */
export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Resolves when a slot is taken; call the returned function once to give it back. */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.free++;
    };
  }

  /** Slots taken now. */
  get inUse(): number {
    return this.size - this.free;
  }
}
