/**
 * Analytics service: the serving layer's query API on Cloud Run, answering recent ranges
 * from Bigtable and older ones from the BigQuery batch views. Read-only access to both
 * stores; only the dashboard (and the uptime check) may invoke it.
 */
import { BigqueryTableIamMember } from '@cdktf/provider-google/lib/bigquery-table-iam-member';
import { BigtableTableIamMember } from '@cdktf/provider-google/lib/bigtable-table-iam-member';
import type { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from '../cdk';
import { ENV_VARS, RESOURCE_NAMES } from '../config/names';
import type { ColdStorage } from './cold-storage';
import { createCloudRunService, regionalDeployments } from './cloud-run-service';
import type { HotStorage } from './hot-storage';
import { componentLabels } from './labels';
import type { PipelineContext } from './pipeline-context';

export interface AnalyticsProps extends PipelineContext {
  hotStorage: HotStorage;
  coldStorage: ColdStorage;
}

export class Analytics extends Construct {
  readonly serviceAccount: ServiceAccount;
  /** The API in the primary region. */
  readonly service: CloudRunV2Service;
  /** The API in every region (each region's dashboard reads its own). */
  readonly services: CloudRunV2Service[];

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    const { config, hotStorage, coldStorage } = props;
    const workload = config.spec.workload;

    this.serviceAccount = new ServiceAccount(this, 'sa', {
      accountId: 'iot-analytics-api',
      displayName: 'IoT analytics API (Cloud Run)',
    });
    const member = `serviceAccount:${this.serviceAccount.email}`;
    const grants = [
      ...(
        [
          ['events', hotStorage.eventsTable],
          ['aggregates', hotStorage.aggregatesTable],
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
        [ENV_VARS.bigtableInstance]: hotStorage.instance.name,
        [ENV_VARS.bigtableEventsTable]: hotStorage.eventsTable.name,
        [ENV_VARS.bigtableAggregatesTable]: hotStorage.aggregatesTable.name,
        [ENV_VARS.bigtableAppProfile]: hotStorage.appProfile.appProfileId,
        [ENV_VARS.bigqueryDataset]: coldStorage.dataset.datasetId,
        [ENV_VARS.bigqueryEventsTable]: coldStorage.eventsRawTable.tableId,
        [ENV_VARS.bigqueryDeadLetterTable]: coldStorage.deadLetterTable.tableId,
        [ENV_VARS.bigqueryBatchViewTable]: coldStorage.batchViewTable.tableId,
        [ENV_VARS.aggregateWindowSeconds]: String(workload.aggregateWindowSeconds),
        [ENV_VARS.watermarkDelaySeconds]: String(workload.watermarkDelaySeconds),
        [ENV_VARS.hotWindowHours]: String(workload.hotWindowHours),
        // Recent ranges come from Bigtable; when Bigtable fails the API answers them from
        // BigQuery (the archive lags by seconds to minutes), so the stores run in parallel.
        ...(bigQueryFallback ? { [ENV_VARS.queryFallback]: 'bigquery' } : {}),
        ...(replica ? { [ENV_VARS.bigqueryReplicaLocation]: replica } : {}),
      },
      labels: componentLabels(config, 'analytics'),
     });
     service.node.addDependency(...grants);
     return service;
    });
    this.service = this.services[0];
  }
}
