/** Slack: Events API, slash commands and interactivity at POST /webhooks/slack/:channelId; sends through the Web API. */
import { defineIntegration, slack } from '@switchboard/sdk';

export default defineIntegration(slack());
