/** What both adapters share about being connected: a gate publishes wait on, and the error when they cannot go out. */
import { PublishError } from '../errors';

/** Opens when the adapter has connected; a publish that arrives earlier (e.g. from `started()`) waits for it. */
export class ReadyGate {
  private opened!: Promise<void>;
  private release!: () => void;

  constructor() {
    this.close();
  }

  /** Lets waiting and future publishes through. */
  open(): void {
    this.release();
  }

  /** Makes publishes wait again (on disconnect). */
  close(): void {
    this.opened = new Promise<void>((resolve) => { this.release = resolve; });
  }

  /** Resolves when the gate opens, or after `timeoutMs` — the caller then checks whether it is connected. */
  async wait(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.opened, new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
  }
}

/** The publish was refused before it reached the server: certainly not stored. */
export function notPublishedError(channelName: string, msgID: string | undefined, stopping: boolean): PublishError {
  return new PublishError(
    `channels: "${channelName}" not published: the channel adapter is ${stopping ? 'stopping' : 'not connected'}`,
    { channel: channelName, msgID, maybeStored: false },
  );
}
