/** One connection attempt shared by every caller until it fails or is reset (the middleware's `starting` and `started` hooks both connect). */
export class ConnectOnce {
  private pending: Promise<void> | null = null;

  /** Starts `connect` unless an attempt is pending or done; a failed attempt lets the next call try again. */
  run(connect: () => Promise<void>): Promise<void> {
    if (!this.pending) {
      this.pending = connect();
      this.pending.catch(() => { this.pending = null; });
    }
    return this.pending;
  }

  /** Forgets the attempt (after a disconnect), so the next `run` connects again. */
  reset(): void {
    this.pending = null;
  }
}
