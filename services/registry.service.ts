/** The channel registry: channel CRUD and secret rotation for the operator API, seeded from SWITCHBOARD_CHANNELS. */
import { createRegistryService } from '@switchboard/sdk';

export default createRegistryService();
