import { ENV_VARS } from '../config/names';
import type { EnvironmentConfig } from '../config/types';

/** What every component construct needs from the stack. */
export interface PipelineContext {
  config: EnvironmentConfig;
  /** Project number (a token from the `google_project` data source), for service-agent emails. */
  projectNumber: string;
}

/** The Google-managed service agent of a product in this project, as an IAM member. */
export function serviceAgentMember(projectNumber: string, product: 'pubsub' | 'monitoring-notification' | 'bigquerydatatransfer'): string {
  return `serviceAccount:service-${projectNumber}@gcp-sa-${product}.iam.gserviceaccount.com`;
}

/** The aggregation contract the processor writes and the analytics API reads by (same values in both). */
export function windowEnv(config: EnvironmentConfig): Record<string, string> {
  const w = config.spec.workload;
  return {
    [ENV_VARS.aggregateWindowSeconds]: String(w.aggregateWindowSeconds),
    [ENV_VARS.watermarkDelaySeconds]: String(w.watermarkDelaySeconds),
    [ENV_VARS.hotWindowHours]: String(w.hotWindowHours),
  };
}
