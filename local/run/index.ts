/** The measured local run: `runLocalPipeline(options)` and its printer, for `npm run local` and `npm start`. */
export { runLocalPipeline, emergencyStop } from './run';
export { formatMeasurement, type Measurement } from './measurement';
export { RunOptionsError, type LocalRunOptions } from './options';
