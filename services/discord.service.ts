/** Discord: the interactions endpoint at POST /webhooks/discord/:channelId; replies through interaction webhooks or the bot. */
import { defineIntegration, discord } from '@switchboard/sdk';

export default defineIntegration(discord());
