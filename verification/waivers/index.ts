export { loadWaiversFile, parseWaivers } from './load';
export { applyWaivers, EXPIRED_WAIVER_RULE } from './apply';
export { waiverSchema, waiverFileSchema } from './schema';
