/**
 * The tenant webhooks service (`webhooks`, WEBHOOKS_SERVICE): subscriptions for the operator API, and the delivery
 * side — the fan-out of the message channels into durable delivery jobs, the signed attempts with their retries,
 * the delivery history and its actions. Run as many as you like on one NATS: they share the work.
 */
import type { ServiceSchema } from 'moleculer';
import { deliveryMixin, subscriptionsMixin } from '@switchboard/sdk';

const webhooks: ServiceSchema = {
  name: 'webhooks',
  // The subscription actions and static seeding (SWITCHBOARD_SUBSCRIPTIONS), then the delivery side.
  mixins: [subscriptionsMixin(), deliveryMixin()],
};

export default webhooks;
