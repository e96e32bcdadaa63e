/** The public URL a platform signed (Twilio): the channel's `settings.publicUrl` exactly, else `SWITCHBOARD_PUBLIC_URL` + the request's path and query. */
import { frontDoorSettings } from '../../registry/front-door';
import type { IntegrationConfig } from '../../types';
import type { InboundRequest } from './request';

/** Undefined when neither is known (the scheme then refuses with a message naming both). Never from `Host`. */
export function publicUrlOf(channel: IntegrationConfig, request: InboundRequest, publicOrigin: string | undefined): string | undefined {
  const configured = frontDoorSettings(channel.settings).publicUrl;
  if (typeof configured === 'string' && configured !== '') return configured;
  if (!publicOrigin || !request.path || !request.path.startsWith('/')) return undefined;
  return publicOrigin.replace(/\/+$/, '') + request.path;
}
