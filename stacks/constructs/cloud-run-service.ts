/**
 * A Cloud Run v2 service built the same way for every service of the pipeline: its own
 * service account, sizing from the environment config, runtime env vars, labels, no
 * public invoker. Component constructs call this; it is not a component of its own.
 */
import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import type { Construct, ITerraformDependable } from '../cdk';
import type { CloudRunSizing, EnvironmentConfig } from '../config/types';
import { NODE_RUNTIME } from '../config/names';

export interface CloudRunServiceProps {
  /** Service name (docs/architecture.md). */
  name: string;
  region: string;
  image: string;
  sizing: CloudRunSizing;
  serviceAccountEmail: string;
  /** Plain environment variables. */
  env: Record<string, string>;
  /** Environment variables read from Secret Manager: variable -> secret id (version `latest`). */
  secretEnv?: Record<string, string>;
  /**
   * Who may reach the service over the network.
   * @default 'INGRESS_TRAFFIC_ALL' (IAM still decides who may invoke)
   */
  ingress?: 'INGRESS_TRAFFIC_ALL' | 'INGRESS_TRAFFIC_INTERNAL_ONLY' | 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER';
  /**
   * Skip the Cloud Run IAM invoker check, for a service that authenticates callers itself
   * (the ingest gateway's API keys). Never the same as granting `allUsers`.
   * @default false
   */
  invokerIamDisabled?: boolean;
  /** Request timeout. @default '60s' */
  timeout?: string;
  labels: Record<string, string>;
  /** Resources Terraform must create first (e.g. a secret version read at revision start). */
  dependsOn?: ITerraformDependable[];
}

export function createCloudRunService(scope: Construct, id: string, props: CloudRunServiceProps): CloudRunV2Service {
  const { sizing } = props;
  const env = [
    ...Object.entries(props.env).map(([name, value]) => ({ name, value })),
    ...Object.entries(props.secretEnv ?? {}).map(([name, secret]) => ({
      name,
      valueSource: { secretKeyRef: { secret, version: 'latest' } },
    })),
  ];
  return new CloudRunV2Service(scope, id, {
    name: props.name,
    location: props.region,
    ingress: props.ingress ?? 'INGRESS_TRAFFIC_ALL',
    invokerIamDisabled: props.invokerIamDisabled ?? false,
    // Stateless: a deleted service is recreated by the next deploy with no data lost.
    deletionProtection: false,
    ...(props.dependsOn?.length ? { dependsOn: props.dependsOn } : {}),
    labels: { ...props.labels, runtime: NODE_RUNTIME },
    template: {
      serviceAccount: props.serviceAccountEmail,
      maxInstanceRequestConcurrency: sizing.concurrency,
      timeout: props.timeout ?? '60s',
      labels: { ...props.labels, runtime: NODE_RUNTIME },
      scaling: { minInstanceCount: sizing.minInstances, maxInstanceCount: sizing.maxInstances },
      containers: [
        {
          image: props.image,
          env,
          resources: {
            limits: { cpu: String(sizing.cpu), memory: sizing.memory },
            // cpu_idle=false is "CPU always allocated" (instance-based billing).
            cpuIdle: !sizing.cpuAlwaysAllocated,
            startupCpuBoost: true,
          },
          startupProbe: { httpGet: { path: '/healthz' }, periodSeconds: 2, failureThreshold: 15, timeoutSeconds: 1 },
        },
      ],
    },
  });
}

/** One regional deployment of a service: its region, sizing and construct id suffix. */
export interface RegionalDeployment {
  region: string;
  sizing: CloudRunSizing;
  /** '' for the primary region (its construct ids stay as they were), `-<region>` otherwise. */
  suffix: string;
}

/**
 * Where a service runs: the environment's region, and its secondary region when it has one
 * (the same sizing with the secondary's minimum instances: it takes traffic after a failover).
 */
export function regionalDeployments(config: EnvironmentConfig, sizing: CloudRunSizing): RegionalDeployment[] {
  const primary: RegionalDeployment = { region: config.region, sizing, suffix: '' };
  if (!config.secondary) return [primary];
  const { region, minInstances } = config.secondary;
  return [primary, { region, sizing: { ...sizing, minInstances: Math.min(minInstances, sizing.maxInstances) }, suffix: `-${region}` }];
}
