/** The tenant webhook delivery series: attempts by outcome and the lag from the stored event, in Moleculer's registry. */
import { ServiceBroker } from 'moleculer';
import { recordDeliveryAttempt, SWITCHBOARD_METRICS } from '../../src/metrics/names';

describe('recordDeliveryAttempt', () => {
  it('counts attempts by outcome and observes the lag in seconds; nothing with metrics off', async () => {
    const broker = new ServiceBroker({ logger: false, metrics: { enabled: true } });
    recordDeliveryAttempt(broker, 'succeeded', 1_500);
    recordDeliveryAttempt(broker, 'succeeded', 500);
    recordDeliveryAttempt(broker, 'failed', undefined);
    const count = (outcome: string) => broker.metrics.getMetric(SWITCHBOARD_METRICS.WEBHOOK_DELIVERIES)!.get({ outcome })?.value;
    expect(count('succeeded')).toBe(2);
    expect(count('failed')).toBe(1);
    const lag = broker.metrics.getMetric(SWITCHBOARD_METRICS.WEBHOOK_DELIVERY_LAG)!.get({ outcome: 'succeeded' }) as unknown as { count: number; sum: number };
    expect(lag.count).toBe(2);
    expect(lag.sum).toBeCloseTo(2, 5);

    const off = new ServiceBroker({ logger: false, metrics: { enabled: false } });
    recordDeliveryAttempt(off, 'succeeded', 10);
    expect(off.metrics.getMetric(SWITCHBOARD_METRICS.WEBHOOK_DELIVERIES)).toBeNull();
  });
});
