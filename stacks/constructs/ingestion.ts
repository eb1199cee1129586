/**
 * Event ingestion: the telemetry topic with its AVRO schema, the dead-letter topic, the
 * speed-layer and archive subscriptions, a BigQuery subscription that archives dead
 * letters, the Pub/Sub service agent's IAM that makes dead-lettering work, and the ingest
 * gateway on Cloud Run (API-key authentication, keys' SHA-256 digests in Secret Manager).
 */
import { PubsubSchema } from '@cdktf/provider-google/lib/pubsub-schema';
import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { BigqueryTableIamMember } from '@cdktf/provider-google/lib/bigquery-table-iam-member';
import type { BigqueryTable } from '@cdktf/provider-google/lib/bigquery-table';
import type { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from '../cdk';
import { ENV_VARS, RESOURCE_NAMES } from '../config/names';
import { createCloudRunService, regionalDeployments } from './cloud-run-service';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { componentLabels } from './labels';
import { serviceAgentMember, type PipelineContext } from './pipeline-context';
import { TELEMETRY_EVENT_AVRO_SCHEMA } from './telemetry-event-avro';

export interface IngestionProps extends PipelineContext {
  /** Table the dead-letter topic is archived into (`events_dead_letter`). */
  deadLetterTable: BigqueryTable;
  /**
   * Ack deadline of the archive subscription, seconds. Dataflow extends leases itself.
   * @default 60
   */
  archiveAckDeadlineSeconds?: number;
}

const seconds = (value: number): string => `${value}s`;
/** An empty TTL: the subscription never expires, however long it is idle. */
const NEVER_EXPIRES = { ttl: '' };

export class Ingestion extends Construct {
  readonly schema: PubsubSchema;
  readonly telemetryTopic: PubsubTopic;
  readonly deadLetterTopic: PubsubTopic;
  readonly speedSubscription: PubsubSubscription;
  readonly archiveSubscription: PubsubSubscription;
  readonly deadLetterArchiveSubscription: PubsubSubscription;
  readonly gatewayServiceAccount: ServiceAccount;
  readonly apiKeySecret: SecretManagerSecret;
  /** The gateway in the primary region. */
  readonly gateway: CloudRunV2Service;
  /** The gateway in every region (devices fail over between the regional endpoints). */
  readonly gateways: CloudRunV2Service[];
  /** Where the gateway spills a batch when Pub/Sub refuses it (undefined without a spill path). */
  readonly spillBucket?: StorageBucket;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const { config } = props;
    const ingestion = config.ingestion;
    const labels = componentLabels(config, 'ingestion');
    const pubsubAgent = serviceAgentMember(props.projectNumber, 'pubsub');

    this.schema = new PubsubSchema(this, 'schema', {
      name: RESOURCE_NAMES.pubsubSchema,
      type: 'AVRO',
      definition: JSON.stringify(TELEMETRY_EVENT_AVRO_SCHEMA),
    });

    this.telemetryTopic = new PubsubTopic(this, 'telemetry-topic', {
      name: RESOURCE_NAMES.telemetryTopic,
      schemaSettings: { schema: this.schema.id, encoding: 'JSON' },
      messageRetentionDuration: seconds(ingestion.topicRetentionSeconds),
      labels,
      dependsOn: [this.schema],
    });

    this.deadLetterTopic = new PubsubTopic(this, 'dead-letter-topic', {
      name: RESOURCE_NAMES.deadLetterTopic,
      messageRetentionDuration: seconds(ingestion.topicRetentionSeconds),
      labels,
    });

    // The speed layer: per-device order (ordering key = device id), exactly-once delivery
    // (an acked message is not redelivered), poison messages to the dead-letter topic
    // after `maxDeliveryAttempts`, with exponential backoff between attempts.
    this.speedSubscription = new PubsubSubscription(this, 'speed-subscription', {
      name: RESOURCE_NAMES.speedSubscription,
      topic: this.telemetryTopic.id,
      ackDeadlineSeconds: ingestion.ackDeadlineSeconds,
      messageRetentionDuration: seconds(ingestion.subscriptionRetentionSeconds),
      retainAckedMessages: false,
      enableMessageOrdering: ingestion.messageOrdering,
      enableExactlyOnceDelivery: ingestion.exactlyOnceDelivery,
      deadLetterPolicy: {
        deadLetterTopic: this.deadLetterTopic.id,
        maxDeliveryAttempts: ingestion.maxDeliveryAttempts,
      },
      retryPolicy: {
        minimumBackoff: seconds(ingestion.minRetryBackoffSeconds),
        maximumBackoff: seconds(ingestion.maxRetryBackoffSeconds),
      },
      expirationPolicy: NEVER_EXPIRES,
      labels,
    });

    // The archive: Dataflow reads its own subscription. Dataflow deduplicates by message
    // id and does not support exactly-once subscriptions; it does not keep order either,
    // and the archive does not need it (rows are keyed by event id).
    this.archiveSubscription = new PubsubSubscription(this, 'archive-subscription', {
      name: RESOURCE_NAMES.archiveSubscription,
      topic: this.telemetryTopic.id,
      ackDeadlineSeconds: props.archiveAckDeadlineSeconds ?? 60,
      messageRetentionDuration: seconds(ingestion.subscriptionRetentionSeconds),
      retainAckedMessages: false,
      expirationPolicy: NEVER_EXPIRES,
      labels,
    });

    // Without these two grants a dead-letter policy silently does nothing: the Pub/Sub
    // service agent must publish to the dead-letter topic and ack on the source subscription.
    const deadLetterPublisher = new PubsubTopicIamMember(this, 'pubsub-agent-publishes-dead-letters', {
      topic: this.deadLetterTopic.name,
      role: 'roles/pubsub.publisher',
      member: pubsubAgent,
    });
    new PubsubSubscriptionIamMember(this, 'pubsub-agent-subscribes-speed-layer', {
      subscription: this.speedSubscription.name,
      role: 'roles/pubsub.subscriber',
      member: pubsubAgent,
    });

    // Something reads the dead letters: a BigQuery subscription writes each one, with its
    // attributes (reason, delivery count), into events_dead_letter.
    const deadLetterTableWriter = new BigqueryTableIamMember(this, 'pubsub-agent-writes-dead-letter-table', {
      datasetId: props.deadLetterTable.datasetId,
      tableId: props.deadLetterTable.tableId,
      role: 'roles/bigquery.dataEditor',
      member: pubsubAgent,
    });
    this.deadLetterArchiveSubscription = new PubsubSubscription(this, 'dead-letter-archive-subscription', {
      name: RESOURCE_NAMES.deadLetterArchiveSubscription,
      topic: this.deadLetterTopic.id,
      messageRetentionDuration: seconds(ingestion.subscriptionRetentionSeconds),
      bigqueryConfig: {
        table: `${config.project}.${props.deadLetterTable.datasetId}.${props.deadLetterTable.tableId}`,
        writeMetadata: true,
        useTableSchema: false,
      },
      expirationPolicy: NEVER_EXPIRES,
      labels,
      dependsOn: [deadLetterTableWriter, deadLetterPublisher],
    });

    // The ingest gateway. Devices cannot present Google identities, so Cloud Run's IAM
    // check is off and the service authenticates API keys itself against the SHA-256
    // digests in Secret Manager (the secret's versions are added out of band, never in
    // Terraform state). No allUsers binding exists.
    this.gatewayServiceAccount = new ServiceAccount(this, 'gateway-sa', {
      accountId: 'iot-ingest-gateway',
      displayName: 'IoT ingest gateway (Cloud Run)',
    });
    const gatewayMember = `serviceAccount:${this.gatewayServiceAccount.email}`;
    this.apiKeySecret = new SecretManagerSecret(this, 'api-key-digests', {
      secretId: RESOURCE_NAMES.ingestApiKeySecret,
      replication: { auto: {} },
      labels,
    });
    const secretAccess = new SecretManagerSecretIamMember(this, 'gateway-reads-api-key-digests', {
      secretId: this.apiKeySecret.id,
      role: 'roles/secretmanager.secretAccessor',
      member: gatewayMember,
    });
    const publish = new PubsubTopicIamMember(this, 'gateway-publishes-telemetry', {
      topic: this.telemetryTopic.name,
      role: 'roles/pubsub.publisher',
      member: gatewayMember,
    });

    // The spill path: when a publish fails the gateway writes the batch here and answers
    // only after the write; a replayer re-publishes spilled batches (event ids make the
    // redelivery idempotent downstream). Multi-region, so it stays up when a region is down.
    const spillGrants: StorageBucketIamMember[] = [];
    if (ingestion.spillBucket) {
      this.spillBucket = new StorageBucket(this, 'spill-bucket', {
        name: `${RESOURCE_NAMES.spillBucketPrefix}-${config.project}`,
        location: ingestion.spillBucket.location,
        storageClass: 'STANDARD',
        uniformBucketLevelAccess: true,
        publicAccessPrevention: 'enforced',
        // Spilled batches are replayed within minutes; what is left after the lifecycle
        // age was replayed long ago (the alert on the bucket catches a stuck replayer).
        lifecycleRule: [{ condition: { age: ingestion.spillBucket.deleteAfterDays }, action: { type: 'Delete' } }],
        forceDestroy: false,
        labels,
      });
      spillGrants.push(
        // The gateway writes spilled batches; its in-process replayer (same account) lists and
        // reads them back, re-publishes them and deletes each one after Pub/Sub confirmed it.
        // objectUser is exactly objects create/get/list/update/delete on this bucket, no bucket IAM.
        new StorageBucketIamMember(this, 'gateway-spill-objects', { bucket: this.spillBucket.name, role: 'roles/storage.objectUser', member: gatewayMember }),
      );
    }

    this.gateways = regionalDeployments(config, ingestion.gateway).map(({ region, sizing, suffix }) => {
      const gateway = createCloudRunService(this, `gateway${suffix}`, {
        name: RESOURCE_NAMES.ingestService,
        region,
        image: config.images.ingest,
        sizing,
        serviceAccountEmail: this.gatewayServiceAccount.email,
        ingress: 'INGRESS_TRAFFIC_ALL',
        invokerIamDisabled: true,
        env: {
          [ENV_VARS.project]: config.project,
          [ENV_VARS.telemetryTopic]: this.telemetryTopic.name,
          [ENV_VARS.eventsPerMessage]: String(config.spec.workload.eventsPerMessage),
          ...(this.spillBucket ? { [ENV_VARS.spillBucket]: this.spillBucket.name } : {}),
        },
        secretEnv: { [ENV_VARS.ingestApiKeySha256]: this.apiKeySecret.secretId },
        // The revision reads the secret at start and publishes at once: grants first.
        dependsOn: [secretAccess, publish, ...spillGrants],
        labels,
      });
      return gateway;
    });
    this.gateway = this.gateways[0];
  }
}
