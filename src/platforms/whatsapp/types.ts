/**
 * The WhatsApp Cloud API shapes Switchboard reads and writes: the `messages` webhook (Meta's
 * "whatsapp_business_account" object) and the channel's credentials and settings.
 * Field names are Meta's (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/).
 */
import type { IntegrationConfig } from '../../types';

/** A template message: `name`, `language` (Meta's code, e.g. `en_US`) and its `components` (header/body/button parameters). */
export interface WhatsAppTemplate {
  name: string;
  language: string;
  components?: unknown[];
}

/** `credentials` of a WhatsApp channel. */
export interface WhatsAppCredentials extends Record<string, unknown> {
  /** A system-user (or temporary) access token with `whatsapp_business_messaging`. */
  accessToken: string;
  /** The business phone number's id (not the phone number itself). */
  phoneNumberId: string;
}

/** `settings` of a WhatsApp channel. */
export interface WhatsAppSettings extends Record<string, unknown> {
  /** The token Meta sends back in the `hub.verify_token` of the subscription GET. */
  verifyToken?: string;
  /** Graph API version, Meta's form (`v21.0`). Default {@link DEFAULT_WHATSAPP_API_VERSION}. */
  apiVersion?: string;
  /** An origin replacing `https://graph.facebook.com` (tests point it at a local fake). */
  apiBaseUrl?: string;
  /** Sent instead of a free-form message when the 24-hour window is closed. Default: none (→ `WINDOW_CLOSED`). */
  windowTemplate?: WhatsAppTemplate;
}

/** A WhatsApp channel: secrets = [the app secret], credentials and settings above. */
export type WhatsAppChannel = IntegrationConfig<WhatsAppCredentials, WhatsAppSettings>;

/** The webhook body Meta POSTs: every entry, every change (field `messages`), may carry messages and statuses. */
export interface WhatsAppWebhookBody {
  object: string;
  entry?: WhatsAppEntry[];
}

export interface WhatsAppEntry {
  /** The WhatsApp Business Account id. */
  id: string;
  changes?: Array<{ field: string; value?: WhatsAppChangeValue }>;
}

export interface WhatsAppChangeValue {
  messaging_product?: string;
  metadata?: { display_phone_number?: string; phone_number_id?: string };
  contacts?: Array<{ wa_id?: string; profile?: { name?: string } }>;
  messages?: WhatsAppMessage[];
  statuses?: WhatsAppStatus[];
  errors?: WhatsAppError[];
}

/** An error object as Meta writes it in webhooks (`errors[]`) and API answers (`error`). */
export interface WhatsAppError {
  code?: number;
  title?: string;
  message?: string;
  error_data?: { details?: string };
  href?: string;
}

export interface WhatsAppMedia {
  id?: string;
  mime_type?: string;
  sha256?: string;
  caption?: string;
  filename?: string;
  /** Audio: a voice note. */
  voice?: boolean;
  /** Sticker: animated. */
  animated?: boolean;
  url?: string;
  file_size?: number;
}

export interface WhatsAppContactCard {
  name?: { formatted_name?: string; first_name?: string; last_name?: string };
  phones?: Array<{ phone?: string; wa_id?: string; type?: string }>;
  emails?: Array<{ email?: string; type?: string }>;
  [key: string]: unknown;
}

/** One inbound message; `type` says which of the optional objects is set. */
export interface WhatsAppMessage {
  id: string;
  from: string;
  timestamp: string;
  type: string;
  context?: { from?: string; id?: string; forwarded?: boolean; frequently_forwarded?: boolean; referred_product?: unknown };
  text?: { body?: string };
  image?: WhatsAppMedia;
  audio?: WhatsAppMedia;
  video?: WhatsAppMedia;
  document?: WhatsAppMedia;
  sticker?: WhatsAppMedia;
  location?: { latitude?: number; longitude?: number; name?: string; address?: string; url?: string };
  contacts?: WhatsAppContactCard[];
  interactive?: {
    type?: string;
    button_reply?: { id?: string; title?: string };
    list_reply?: { id?: string; title?: string; description?: string };
  };
  /** A tap on a template's quick-reply button. */
  button?: { text?: string; payload?: string };
  reaction?: { message_id?: string; emoji?: string };
  /** The ad or post that opened the conversation (Click to WhatsApp). */
  referral?: Record<string, unknown>;
  errors?: WhatsAppError[];
  [key: string]: unknown;
}

/** A delivery receipt of a message the business sent. */
export interface WhatsAppStatus {
  id: string;
  status: string;
  timestamp: string;
  recipient_id?: string;
  conversation?: Record<string, unknown>;
  pricing?: Record<string, unknown>;
  errors?: WhatsAppError[];
  biz_opaque_callback_data?: string;
}
