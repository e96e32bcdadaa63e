/**
 * Broker configuration for `moleculer-runner`, from the environment:
 * nothing set → one process on in-memory transport, cacher and channels;
 * NATS_URL → NATS transporter and JetStream channels; REDIS_URL → Redis cacher and state.
 * See README.md for every variable.
 */
import { createBrokerConfig } from '@switchboard/sdk';

export default createBrokerConfig();
