// Runs in every integration test worker before the tests: the endpoints of the local cloud,
// and no attempt by a Google client to reach the metadata server.
import { readState } from './local-cloud-state';

process.env.METADATA_SERVER_DETECTION = 'none';
const state = readState();
if (state) Object.assign(process.env, state.env);
