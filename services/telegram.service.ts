/** The Telegram integration (Bot API): webhooks at /webhooks/telegram/<channelId>, or getUpdates polling per channel. See README "Telegram". */
import { defineIntegration, telegram } from '@switchboard/sdk';

export default defineIntegration(telegram());
