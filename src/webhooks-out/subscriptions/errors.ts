/** The subscription store's own failure: a tenant at its limit. */
import { Errors } from 'moleculer';

/** 400 `SUBSCRIPTION_LIMIT`: the tenant already has as many subscriptions as allowed; `data.limit` says how many. */
export class SubscriptionLimitError extends Errors.MoleculerClientError {
  constructor(message: string, data: { tenantId: string; limit: number }) {
    super(message, 400, 'SUBSCRIPTION_LIMIT', data);
  }
}
