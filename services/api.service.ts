/** The HTTP gateway: `GET /health`, the webhook routes and the operator API (see createGatewayService). */
import { createGatewayService } from '@switchboard/sdk';

export default createGatewayService();
