/**
 * Stream processing: the speed-layer processor on Cloud Run (a pull subscriber with CPU
 * always allocated, writing to Bigtable; every instance writes its live metrics snapshot to
 * the `fleet` table every FLEET_METRICS_SECONDS; with `processing.secondaryStandby` the
 * secondary region's copy is a warm standby gated on the subscription's backlog age, and
 * the processor account gets roles/monitoring.viewer to read it) and the archive job on Dataflow, the
 * Google-provided `PubSub_Subscription_to_BigQuery` classic template running the project's
 * JavaScript UDF (TypeScript built to ES5.1, `functions/dist/udf/transform.js`).
 */
import { BigqueryTableIamMember } from '@cdktf/provider-google/lib/bigquery-table-iam-member';
import { BigtableTableIamMember } from '@cdktf/provider-google/lib/bigtable-table-iam-member';
import type { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { DataflowJob } from '@cdktf/provider-google/lib/dataflow-job';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { StorageBucketObject } from '@cdktf/provider-google/lib/storage-bucket-object';
import { Construct, type ITerraformDependable } from '../cdk';
import { ENV_VARS, RESOURCE_NAMES } from '../config/names';
import type { ColdStorage } from './cold-storage';
import { createCloudRunService, regionalDeployments } from './cloud-run-service';
import type { HotStorage } from './hot-storage';
import type { Ingestion } from './ingestion';
import { componentLabels } from './labels';
import { windowEnv, type PipelineContext } from './pipeline-context';

export interface StreamProcessingProps extends PipelineContext {
  ingestion: Ingestion;
  hotStorage: HotStorage;
  coldStorage: ColdStorage;
  /**
   * Path of the built UDF as Terraform should read it, relative to the synthesized stack
   * folder (e.g. `${path.module}/../../../functions/dist/udf/transform.js`). The data
   * plane builds the file; Terraform reads it at plan time, not synth.
   */
  udfSourcePath: string;
  /**
   * Storage Write API streams (exactly-once mode needs a fixed count). Default: the
   * sustained bytes/s at ~1 MB/s per stream with 50% headroom, at least 1.
   */
  storageWriteApiStreams?: number;
  /** Storage Write API commit interval, seconds (exactly-once mode). @default 5 */
  storageWriteApiTriggeringFrequencySeconds?: number;
}

/** Processor env var for its pull flow control (not in the shared table of docs/architecture.md). */
export const PROCESSOR_MAX_OUTSTANDING_ENV = 'MAX_OUTSTANDING_MESSAGES';
/** Processor env var for the lease its client asks for: the speed-layer subscription's ack deadline. */
export const PROCESSOR_ACK_DEADLINE_ENV = 'ACK_DEADLINE_SECONDS';
/**
 * How often every processor instance writes its fleet snapshot (env FLEET_METRICS_SECONDS;
 * the service's default is 2). 1 s keeps the dashboard's live figures inside the 5 s bound in
 * the worst case: snapshot wait 1 s + dashboard live cache 1 s + 2 s refresh + ~0.1 s of
 * processing and reads = ~4.1 s (at 2 s it is ~5.1 s). Cost: one tiny Bigtable write per
 * instance per second.
 */
export const FLEET_METRICS_SECONDS = 1;
export const ARCHIVE_TEMPLATE = 'PubSub_Subscription_to_BigQuery';
export const UDF_OBJECT_NAME = 'udf/transform.js';

export class StreamProcessing extends Construct {
  readonly processorServiceAccount: ServiceAccount;
  /** The processor in the primary region. */
  readonly processor: CloudRunV2Service;
  /** The processor in every region; all pull the one speed-layer subscription. */
  readonly processors: CloudRunV2Service[];
  readonly dataflowServiceAccount: ServiceAccount;
  readonly udfBucket: StorageBucket;
  readonly udfObject: StorageBucketObject;
  readonly archiveJob: DataflowJob;

  constructor(scope: Construct, id: string, props: StreamProcessingProps) {
    super(scope, id);
    const { config, ingestion, hotStorage, coldStorage } = props;
    const labels = componentLabels(config, 'stream-processing');
    const workload = config.spec.workload;

    // ---- speed layer
    this.processorServiceAccount = new ServiceAccount(this, 'processor-sa', {
      accountId: 'iot-speed-processor',
      displayName: 'IoT speed-layer processor (Cloud Run)',
    });
    const processorMember = `serviceAccount:${this.processorServiceAccount.email}`;
    const processorGrants: ITerraformDependable[] = [
      new PubsubSubscriptionIamMember(this, 'processor-subscribes-speed-layer', {
        subscription: ingestion.speedSubscription.name,
        role: 'roles/pubsub.subscriber',
        member: processorMember,
      }),
      new PubsubTopicIamMember(this, 'processor-publishes-dead-letters', {
        topic: ingestion.deadLetterTopic.name,
        role: 'roles/pubsub.publisher',
        member: processorMember,
      }),
      ...(
        [
          ['events', hotStorage.eventsTable],
          ['aggregates', hotStorage.aggregatesTable],
          // Its own snapshot row; a standby also reads the others' (is a primary pulling?).
          ['fleet', hotStorage.fleetTable],
        ] as const
      ).map(
        ([name, table]) =>
          new BigtableTableIamMember(this, `processor-writes-${name}`, {
            instance: hotStorage.instance.name,
            table: table.name,
            role: 'roles/bigtable.user',
            member: processorMember,
          }),
      ),
    ];
    // A warm standby reads the subscription's oldest-unacked-message age from Cloud Monitoring
    // (timeSeries.list has no resource narrower than the project); only granted when one exists.
    const standby = config.secondary ? config.processing.secondaryStandby : undefined;
    if (standby) {
      processorGrants.push(
        new ProjectIamMember(this, 'processor-reads-monitoring', { project: config.project, role: 'roles/monitoring.viewer', member: processorMember }),
      );
    }

    this.processors = regionalDeployments(config, config.processing.processor).map(({ region, sizing, suffix }) => {
     const processor = createCloudRunService(this, `processor${suffix}`, {
      name: RESOURCE_NAMES.processorService,
      region,
      image: config.images.processor,
      sizing,
      serviceAccountEmail: this.processorServiceAccount.email,
      // A pull subscriber: nobody calls it, so only internal traffic (health checks) gets in.
      ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
      // A revision that starts before its grants crash-loops on permission errors.
      dependsOn: processorGrants,
      env: {
        [ENV_VARS.project]: config.project,
        [ENV_VARS.speedSubscription]: ingestion.speedSubscription.name,
        [ENV_VARS.deadLetterTopic]: ingestion.deadLetterTopic.name,
        ...hotStorage.clientEnv(),
        ...windowEnv(config),
        [PROCESSOR_MAX_OUTSTANDING_ENV]: String(config.processing.processorMaxOutstandingMessages),
        [PROCESSOR_ACK_DEADLINE_ENV]: String(config.ingestion.ackDeadlineSeconds),
        [ENV_VARS.fleetMetricsSeconds]: String(FLEET_METRICS_SECONDS),
        [ENV_VARS.serviceRegion]: region,
        // The secondary region's copy pulls only while the backlog is older than the threshold.
        ...(standby && suffix !== ''
          ? {
              [ENV_VARS.standbyBacklogAgeSeconds]: String(standby.backlogAgeSeconds),
              [ENV_VARS.standbyPollSeconds]: String(standby.pollSeconds),
              [ENV_VARS.standbyCooldownSeconds]: String(standby.cooldownSeconds),
            }
          : {}),
      },
      labels,
     });
     return processor;
    });
    this.processor = this.processors[0];

    // ---- archive (batch layer input)
    const dataflow = config.processing.dataflow;
    this.udfBucket = new StorageBucket(this, 'udf-bucket', {
      name: `${config.project}-dataflow-archive`,
      location: config.region.toUpperCase(),
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      versioning: { enabled: true },
      forceDestroy: false,
      labels,
    });
    this.udfObject = new StorageBucketObject(this, 'udf-object', {
      bucket: this.udfBucket.name,
      name: UDF_OBJECT_NAME,
      source: props.udfSourcePath,
      contentType: 'application/javascript',
    });

    this.dataflowServiceAccount = new ServiceAccount(this, 'dataflow-sa', {
      accountId: 'iot-archive-dataflow',
      displayName: 'IoT archive job (Dataflow workers)',
    });
    const dataflowMember = `serviceAccount:${this.dataflowServiceAccount.email}`;
    const dataflowGrants = [
      // Workers must hold dataflow.worker at project level; there is no narrower resource.
      new ProjectIamMember(this, 'dataflow-worker', { project: config.project, role: 'roles/dataflow.worker', member: dataflowMember }),
      new PubsubSubscriptionIamMember(this, 'dataflow-subscribes-archive', {
        subscription: ingestion.archiveSubscription.name,
        role: 'roles/pubsub.subscriber',
        member: dataflowMember,
      }),
      new PubsubSubscriptionIamMember(this, 'dataflow-views-archive', {
        subscription: ingestion.archiveSubscription.name,
        role: 'roles/pubsub.viewer',
        member: dataflowMember,
      }),
      ...(
        [
          ['writes-events-raw', coldStorage.eventsRawTable],
          ['writes-archive-errors', coldStorage.archiveErrorTable],
        ] as const
      ).map(
        ([name, table]) =>
          new BigqueryTableIamMember(this, `dataflow-${name}`, {
            datasetId: coldStorage.dataset.datasetId,
            tableId: table.tableId,
            role: 'roles/bigquery.dataEditor',
            member: dataflowMember,
          }),
      ),
      // Reads the UDF, writes its temp files.
      new StorageBucketIamMember(this, 'dataflow-uses-bucket', {
        bucket: this.udfBucket.name,
        role: 'roles/storage.objectAdmin',
        member: dataflowMember,
      }),
    ];

    const tableSpec = (tableId: string) => `${config.project}:${coldStorage.dataset.datasetId}.${tableId}`;
    const bytesPerSecond = workload.averageEventsPerSecond * workload.eventSizeBytes;
    const streams = props.storageWriteApiStreams ?? Math.max(1, Math.ceil((bytesPerSecond * 1.5) / 1_000_000));
    const parameters: Record<string, string> = {
      inputSubscription: ingestion.archiveSubscription.id,
      outputTableSpec: tableSpec(coldStorage.eventsRawTable.tableId),
      outputDeadletterTable: tableSpec(coldStorage.archiveErrorTable.tableId),
      javascriptTextTransformGcsPath: `gs://${this.udfBucket.name}/${this.udfObject.name}`,
      javascriptTextTransformFunctionName: 'transform',
    };
    if (dataflow.useStorageWriteApi) {
      // Exactly-once Storage Write API: redelivered messages do not become duplicate rows.
      parameters['useStorageWriteApi'] = 'true';
      parameters['numStorageWriteApiStreams'] = String(streams);
      parameters['storageWriteApiTriggeringFrequencySec'] = String(props.storageWriteApiTriggeringFrequencySeconds ?? 5);
    }

    // The GA resource cannot set initial or minimum workers; record the intent as labels.
    const sizingLabels: Record<string, string> = { 'workers-initial': String(dataflow.numWorkers) };
    if (dataflow.minWorkers !== undefined) sizingLabels['workers-min'] = String(dataflow.minWorkers);

    this.archiveJob = new DataflowJob(this, 'archive-job', {
      name: RESOURCE_NAMES.archiveJob,
      region: config.region,
      templateGcsPath: `gs://dataflow-templates-${config.region}/latest/${ARCHIVE_TEMPLATE}`,
      tempGcsLocation: `gs://${this.udfBucket.name}/temp`,
      parameters,
      machineType: dataflow.machineType,
      ...(dataflow.maxWorkers !== undefined ? { maxWorkers: dataflow.maxWorkers } : {}),
      enableStreamingEngine: dataflow.enableStreamingEngine,
      ipConfiguration: dataflow.privateIps ? 'WORKER_IP_PRIVATE' : 'WORKER_IP_PUBLIC',
      serviceAccountEmail: this.dataflowServiceAccount.email,
      // Drain: finish in-flight elements and ack them before the job stops, so a replace
      // or destroy loses nothing.
      onDelete: 'drain',
      labels: { ...labels, ...sizingLabels },
      dependsOn: [...dataflowGrants, this.udfObject],
    });
  }
}
