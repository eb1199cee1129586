/** The graph stage: read any Terraform JSON into one normalised resource graph. */
export { loadInput, loadInputWithSpec, loadTerraformJson, detectKind, type LoadOptions, type LoadedInput } from './load';
export { readSpecFile, validateSpec, specSchema } from './spec-file';
export { parseAddress, formatAddress, parseSteps } from './address';
export * from './values';
export * from './types';
