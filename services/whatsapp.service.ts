/** The WhatsApp Cloud API integration: webhooks at `/webhooks/whatsapp/<channelId>`, sends with `whatsapp.i_sendMessage` (README "WhatsApp"). */
import { defineIntegration, whatsapp } from '@switchboard/sdk';

export default defineIntegration(whatsapp());
