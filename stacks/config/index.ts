/** The environments by name, and a lookup that fails with one line naming the valid ones. */
import type { EnvironmentConfig } from './types';
import { DEV_CONFIG } from './dev';
import { FIRST_PROPOSAL_CONFIG } from './first-proposal';
import { PROD_CONFIG } from './prod';

export const ENVIRONMENTS: Readonly<Record<string, EnvironmentConfig>> = {
  dev: DEV_CONFIG,
  prod: PROD_CONFIG,
  'first-proposal': FIRST_PROPOSAL_CONFIG,
};

export const ENVIRONMENT_NAMES: readonly string[] = Object.keys(ENVIRONMENTS);

export class UnknownEnvironmentError extends Error {
  constructor(name: string) {
    super(`unknown environment "${name}"; valid environments: ${ENVIRONMENT_NAMES.join(', ')}`);
    this.name = 'UnknownEnvironmentError';
  }
}

export function getEnvironmentConfig(name: string): EnvironmentConfig {
  const config = Object.prototype.hasOwnProperty.call(ENVIRONMENTS, name) ? ENVIRONMENTS[name] : undefined;
  if (!config) throw new UnknownEnvironmentError(name);
  return config;
}
