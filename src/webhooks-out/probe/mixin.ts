/**
 * `probeMixin()`: the periodic probe of disabled endpoints for the `webhooks` service. A round every
 * `intervalMs` (an unref'd timer, never two rounds at once on a node, stopped with the service); a
 * subscription's turn is leased in the shared store, so with several nodes one probes it.
 */
import type { Service, ServiceBroker, ServiceSchema } from 'moleculer';
import { acquireStore, releaseStore } from '../../store/broker-store';
import { deliveryRuntime } from '../delivery/mixin';
import { subscriptionStore } from '../subscriptions/broker-store';
import { WEBHOOKS_ACTIONS } from '../types';
import { resolveProbeOptions, type ProbeOptions } from './options';
import { probeRound, type ProbeRuntime, type ProbeSubscriptions } from './round';
import { ProbeStateStore } from './state';

/** Options of {@link probeMixin}. */
export interface ProbeMixinOptions extends ProbeOptions {
  /** The disabled subscriptions and their re-enabling. Default: `subscriptionStore(broker)` from `webhooks-out/subscriptions`. */
  subscriptions?: (broker: ServiceBroker) => ProbeSubscriptions;
}

const LOOP = Symbol('webhooksProbeLoop');

/** The round timer: one round after another, `intervalMs` apart, none after `stop()`. */
export class ProbeLoop {
  private timer?: NodeJS.Timeout;
  private current?: Promise<unknown>;
  private stopped = false;

  constructor(private readonly intervalMs: number, private readonly round: () => Promise<unknown>, private readonly onError: (err: unknown) => void) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  get running(): boolean { return !this.stopped; }

  /** Runs one round now unless one is under way (then answers that one). */
  runNow(): Promise<unknown> {
    this.current ??= this.round().catch(this.onError).finally(() => {
      this.current = undefined;
      if (!this.stopped) this.schedule();
    });
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.runNow(); }, this.intervalMs);
    this.timer.unref();
  }
}

type WithLoop = Service & { [LOOP]?: ProbeLoop };

/** The probe loop of a service built with {@link probeMixin} (tests run a round at once with `runNow()`). */
export function probeLoop(service: Service): ProbeLoop | undefined {
  return (service as WithLoop)[LOOP];
}

/** The mixin. Put it in the `webhooks` service after `deliveryMixin()` (it uses the delivery runtime and `recover`). */
export function probeMixin(o: ProbeMixinOptions): Partial<ServiceSchema> {
  const options = resolveProbeOptions(o); // option errors surface when the service is defined
  return {
    async started(this: Service) {
      const broker = this.broker;
      const service = this;
      const subscriptions = o.subscriptions ? o.subscriptions(broker) : subscriptionStore(broker);
      const rt: ProbeRuntime = {
        delivery: deliveryRuntime(this),
        subscriptions,
        state: new ProbeStateStore(acquireStore(broker)),
        options,
        recover: async (subscriptionId, sinceMs) => {
          const recover = (service.actions as Record<string, (p: unknown) => Promise<{ requeued: number }>>)[WEBHOOKS_ACTIONS.recover];
          if (!recover) throw new Error('webhooks: the probe needs the recover action (is deliveryMixin() in the service?)');
          return (await recover({ subscriptionId, since: sinceMs })).requeued;
        },
        running: () => loop.running,
      };
      const loop = new ProbeLoop(options.intervalMs, () => probeRound(rt), (err) => this.logger.warn(`webhooks: probe round failed: ${(err as Error).message}`));
      (this as WithLoop)[LOOP] = loop;
      loop.start();
      this.logger.info(`webhooks: probing endpoints disabled as ${options.reasons.join(' or ')} every ${options.intervalMs} ms (up to ${options.maxIntervalMs} ms after failures)`);
    },
    async stopped(this: Service) {
      const loop = (this as WithLoop)[LOOP];
      if (!loop) return;
      await loop.stop();
      (this as WithLoop)[LOOP] = undefined;
      await releaseStore(this.broker);
    },
  };
}
