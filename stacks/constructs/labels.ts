import type { EnvironmentConfig } from '../config/types';
import type { ComponentLabel } from '../config/names';

/**
 * Labels for a resource of one component: the environment's labels plus
 * `component=<component>`, which the verifier reads as a classification hint.
 */
export function componentLabels(config: EnvironmentConfig, component: ComponentLabel): Record<string, string> {
  return { ...config.labels, environment: config.name, component };
}
