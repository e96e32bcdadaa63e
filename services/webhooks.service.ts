/** Tenant webhooks (`webhooks`): subscriptions for the operator API, and signed deliveries with retries and a history. */
import { createWebhooksService } from '@switchboard/sdk';

export default createWebhooksService();
