/**
 * The tenant webhooks service (`webhooks`, WEBHOOKS_SERVICE): subscriptions for the operator API, and the delivery
 * side — the fan-out of the message channels into durable delivery jobs, the signed attempts with their retries,
 * the delivery history and its actions. Run as many as you like on one NATS: they share the work.
 */
import type { ServiceSchema } from 'moleculer';
import { deliveryMixin } from '@switchboard/sdk';

const webhooks: ServiceSchema = {
  name: 'webhooks',
  // LEAD: once the "subs" branch is merged, this line becomes `mixins: [subscriptionsMixin(), deliveryMixin()],`
  // (`subscriptionsMixin` from '@switchboard/sdk': the subscription actions and the static seeding).
  mixins: [deliveryMixin()],
};

export default webhooks;
