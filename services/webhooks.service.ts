/**
 * The tenant webhooks service (`webhooks`, WEBHOOKS_SERVICE): subscriptions for the operator API, and the delivery
 * side — the fan-out of the message channels into durable delivery jobs, the signed attempts with their retries,
 * the delivery history and its actions. Run as many as you like on one NATS: they share the work.
 */
import type { ServiceSchema } from 'moleculer';
import { deliveryMixin } from '@switchboard/sdk';

const webhooks: ServiceSchema = {
  name: 'webhooks',
  mixins: [deliveryMixin()],
  // LEAD: wire the subscription actions of the "subs" helper here once merged: `actions: subscriptionActions(),`
  // (imported from '@switchboard/sdk'); the delivery actions come from deliveryMixin() and merge with them.
};

export default webhooks;
