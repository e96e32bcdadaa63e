/**
 * Moleculer types the SDK needs, written so they mean the same on both supported lines (0.14 and 0.15).
 * 0.15 no longer exports `LoggerInstance`, `Serializer`, `ServiceActionsSchema` or `ServiceDependency`
 * from its root, so these are derived from what both lines export (`ServiceBroker`, `ServiceSchema`).
 */
import type { ServiceBroker, ServiceSchema } from 'moleculer';

/** A Moleculer logger (`broker.logger`, `this.logger`): 0.14's `LoggerInstance`, 0.15's `Logger`. */
export type MoleculerLogger = ServiceBroker['logger'];

/** A service's `actions` block: 0.14's and 0.15's `ServiceActionsSchema`. */
export type ServiceActions = NonNullable<ServiceSchema['actions']>;

/** One entry of a service's `dependencies`. */
export interface ServiceDependencyRef {
  name: string;
  version?: string | number;
}

/** What the channels adapters use of a Moleculer serializer (`Serializers.Base` on both lines). */
export interface MoleculerSerializer {
  serialize(obj: Record<string, unknown>, type: string): Buffer;
  deserialize(buf: Buffer, type: string): unknown;
}
