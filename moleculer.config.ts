/**
 * Broker configuration for `moleculer-runner`, from the environment:
 * nothing set → one process on in-memory transport, cacher and channels;
 * NATS_URL → NATS transporter and JetStream channels; REDIS_URL → Redis cacher and state.
 * A bad variable stops start-up with its one-line message. See README.md for every variable.
 */
import { configOrExit, createBrokerConfig } from '@switchboard/sdk';

export default configOrExit(() => createBrokerConfig());
