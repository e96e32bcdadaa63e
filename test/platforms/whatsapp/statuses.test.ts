/** Meta's status webhooks → delivery receipts with asserted fields. */
import { whatsappStatuses } from '../../../src/platforms/whatsapp';
import { fixture, webhookOf } from './fixtures';

describe('whatsapp statuses', () => {
  it('sent, delivered, read and failed (with its error) of the documented example', () => {
    const statuses = whatsappStatuses(webhookOf(fixture('statuses').payload));
    const sentId = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RkY1QkZBRDNDMzY4QjFFNzQA';
    const failedId = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCNkY5NTBENEU3ODYxQTM3RUQA';
    expect(statuses.map((s) => [s.messageId, s.status, s.timestamp])).toEqual([
      [sentId, 'sent', 1750263773000],
      [sentId, 'delivered', 1750263774000],
      [sentId, 'read', 1750263780000],
      [failedId, 'failed', 1750263790000],
    ]);
    expect(statuses[0]).toMatchObject({ conversationId: '16505551234', metadata: { conversation: { id: '6ceb9d929c1ed8d5e6ad2a5a3d7b7a8f' }, pricing: { category: 'service' } } });
    expect(statuses[0].error).toBeUndefined();
    expect(statuses[3].error).toEqual({ code: 131026, message: 'Message undeliverable: Message Undeliverable.' });
  });

  it('a batch: statuses of every change', () => {
    expect(whatsappStatuses(webhookOf(fixture('batched').payload))).toEqual([
      { messageId: 'wamid.OUT-1', status: 'delivered', timestamp: 1749416384000, conversationId: '16505551234' },
    ]);
  });

  it('states Switchboard does not model are skipped; a failure without errors still says so', () => {
    const payload = fixture('statuses').payload;
    const list = payload.entry![0].changes![0].value!.statuses!;
    list[0].status = 'deleted';
    delete list[3].errors;
    const statuses = whatsappStatuses(webhookOf(payload));
    expect(statuses.map((s) => s.status)).toEqual(['delivered', 'read', 'failed']);
    expect(statuses[2].error?.message).toMatch(/without a reason/);
  });
});
