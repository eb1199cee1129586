/**
 * Analytics service: the serving layer's query API on Cloud Run, answering recent ranges
 * from Bigtable and older ones from the BigQuery batch views. Read-only access to both
 * stores; only the dashboard (and the uptime check) may invoke it. GET /v1/fleet/live merges
 * the processors' snapshots from the `fleet` table (read-only, like the other tables).
 *
 * Page tokens are HMAC-signed with PAGE_TOKEN_SECRET, the same on every instance in every
 * region (a token issued by one instance must verify on the next): the Secret Manager secret
 * `analytics-page-token-secret`, replicated to the environment's regions, read as the Cloud
 * Run env var (version `latest`). Its version is created by this stack from the sensitive
 * Terraform variable `analytics_page_token_secret` (>= 32 characters; comma-separated for a
 * rotation: the first signs, all verify) through the write-only `secret_data_wo` (Terraform
 * >= 1.11): the value never lands in the state, so the version exists before the services
 * deploy (they depend on it) without an operator step. Rotate by setting a new value and
 * bumping `analytics_page_token_secret_version`. Saved plan files do hold the variable's
 * value: keep them as private as the state.
 */
import { BigqueryTableIamMember } from '@cdktf/provider-google/lib/bigquery-table-iam-member';
import { BigtableTableIamMember } from '@cdktf/provider-google/lib/bigtable-table-iam-member';
import type { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct, TerraformVariable, type ITerraformDependable } from '../cdk';
import { ENV_VARS, RESOURCE_NAMES } from '../config/names';
import type { ColdStorage } from './cold-storage';
import { createCloudRunService, regionalDeployments } from './cloud-run-service';
import type { HotStorage } from './hot-storage';
import { componentLabels } from './labels';
import { windowEnv, type PipelineContext } from './pipeline-context';

export interface AnalyticsProps extends PipelineContext {
  hotStorage: HotStorage;
  coldStorage: ColdStorage;
}

/**
 * /v1/fleet/live leaves out snapshots older than this (env FLEET_SNAPSHOT_MAX_AGE_SECONDS): ten
 * of the processors' 1 s intervals, so a few failed writes or a cross-region replication lag
 * (the other region's API reads its nearest cluster) do not drop a live instance.
 */
export const FLEET_SNAPSHOT_MAX_AGE_SECONDS = 10;
/** Terraform variables that feed the page-token secret's version. */
export const PAGE_TOKEN_SECRET_VARIABLE = 'analytics_page_token_secret';
export const PAGE_TOKEN_SECRET_VERSION_VARIABLE = 'analytics_page_token_secret_version';

export class Analytics extends Construct {
  readonly serviceAccount: ServiceAccount;
  /** The API in the primary region. */
  readonly service: CloudRunV2Service;
  /** The API in every region (each region's dashboard reads its own). */
  readonly services: CloudRunV2Service[];
  readonly pageTokenSecret: SecretManagerSecret;
  readonly pageTokenSecretVersion: SecretManagerSecretVersion;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    const { config, hotStorage, coldStorage } = props;

    this.serviceAccount = new ServiceAccount(this, 'sa', {
      accountId: 'iot-analytics-api',
      displayName: 'IoT analytics API (Cloud Run)',
    });
    const member = `serviceAccount:${this.serviceAccount.email}`;
    const grants: ITerraformDependable[] = [
      ...(
        [
          ['events', hotStorage.eventsTable],
          ['aggregates', hotStorage.aggregatesTable],
          ['fleet', hotStorage.fleetTable],
        ] as const
      ).map(
        ([name, table]) =>
          new BigtableTableIamMember(this, `reads-bigtable-${name}`, {
            instance: hotStorage.instance.name,
            table: table.name,
            role: 'roles/bigtable.reader',
            member,
          }),
      ),
      ...(
        [
          ['events-raw', coldStorage.eventsRawTable],
          ['device-hourly', coldStorage.batchViewTable],
        ] as const
      ).map(
        ([name, table]) =>
          new BigqueryTableIamMember(this, `reads-bigquery-${name}`, {
            datasetId: coldStorage.dataset.datasetId,
            tableId: table.tableId,
            role: 'roles/bigquery.dataViewer',
            member,
          }),
      ),
      // Query jobs run in the project; jobUser has no narrower resource.
      new ProjectIamMember(this, 'bigquery-job-user', { project: config.project, role: 'roles/bigquery.jobUser', member }),
    ];

    // ---- page-token secret (see the header): one value for every instance in every region
    const secretValue = new TerraformVariable(this, 'page-token-secret-var', {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: 'HMAC secret(s) for the analytics API page tokens (PAGE_TOKEN_SECRET): comma-separated, each >= 32 characters; the first signs, all verify',
      validation: [
        {
          condition: `\${alltrue([for s in split(",", var.${PAGE_TOKEN_SECRET_VARIABLE}) : length(trimspace(s)) >= 32])}`,
          errorMessage: 'each comma-separated page-token secret must be at least 32 characters',
        },
      ],
    });
    secretValue.overrideLogicalId(PAGE_TOKEN_SECRET_VARIABLE);
    const secretVersionCounter = new TerraformVariable(this, 'page-token-secret-version-counter', {
      type: 'number',
      default: 1,
      nullable: false,
      description: `Bump to write a new ${PAGE_TOKEN_SECRET_VARIABLE} into Secret Manager (write-only attributes are compared by this counter)`,
    });
    secretVersionCounter.overrideLogicalId(PAGE_TOKEN_SECRET_VERSION_VARIABLE);
    const regions = [config.region, ...(config.secondary ? [config.secondary.region] : [])];
    this.pageTokenSecret = new SecretManagerSecret(this, 'page-token-secret', {
      secretId: RESOURCE_NAMES.pageTokenSecret,
      // In the regions the API runs in: either region alone can read it.
      replication: { userManaged: { replicas: regions.map((location) => ({ location })) } },
      labels: componentLabels(config, 'analytics'),
    });
    this.pageTokenSecretVersion = new SecretManagerSecretVersion(this, 'page-token-secret-version', {
      secret: this.pageTokenSecret.id,
      secretDataWo: secretValue.stringValue,
      secretDataWoVersion: secretVersionCounter.numberValue,
    });
    const secretAccess = new SecretManagerSecretIamMember(this, 'reads-page-token-secret', {
      secretId: this.pageTokenSecret.id,
      role: 'roles/secretmanager.secretAccessor',
      member,
    });
    grants.push(secretAccess);

    const { bigQueryFallback = false, ...sizing } = config.analytics;
    const replica = config.coldStorage.replicaLocation;
    this.services = regionalDeployments(config, sizing).map(({ region, sizing: regional, suffix }) => {
     const service = createCloudRunService(this, `service${suffix}`, {
      name: RESOURCE_NAMES.analyticsService,
      region,
      image: config.images.analytics,
      sizing: regional,
      serviceAccountEmail: this.serviceAccount.email,
      env: {
        [ENV_VARS.project]: config.project,
        ...hotStorage.clientEnv(),
        [ENV_VARS.bigqueryDataset]: coldStorage.dataset.datasetId,
        [ENV_VARS.bigqueryEventsTable]: coldStorage.eventsRawTable.tableId,
        [ENV_VARS.bigqueryDeadLetterTable]: coldStorage.deadLetterTable.tableId,
        [ENV_VARS.bigqueryBatchViewTable]: coldStorage.batchViewTable.tableId,
        ...windowEnv(config),
        // Recent ranges come from Bigtable; when Bigtable fails the API answers them from
        // BigQuery (the archive lags by seconds to minutes), so the stores run in parallel.
        ...(bigQueryFallback ? { [ENV_VARS.queryFallback]: 'bigquery' } : {}),
        ...(replica ? { [ENV_VARS.bigqueryReplicaLocation]: replica } : {}),
        [ENV_VARS.fleetSnapshotMaxAgeSeconds]: String(FLEET_SNAPSHOT_MAX_AGE_SECONDS),
      },
      secretEnv: { [ENV_VARS.pageTokenSecret]: this.pageTokenSecret.secretId },
      // PAGE_TOKEN_SECRET reads version `latest` at revision start: the version and the
      // accessor grant must exist first. The env var names only the secret, so say it.
      dependsOn: [this.pageTokenSecretVersion, ...new Set([secretAccess, ...grants])],
      labels: componentLabels(config, 'analytics'),
     });
     return service;
    });
    this.service = this.services[0];
  }
}
