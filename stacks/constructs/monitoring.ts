/**
 * Monitoring: an email notification channel; an alert policy for every queue and store
 * (backlog age per subscription, dead-letter traffic, processor errors, ingest 5xx,
 * Dataflow data freshness, Bigtable CPU and disk, batch-view failures); uptime checks on
 * the three HTTP services with an alert each; and the ops dashboard.
 */
import type { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { MonitoringUptimeCheckConfig } from '@cdktf/provider-google/lib/monitoring-uptime-check-config';
import { Construct, Fn } from '../cdk';
import { RESOURCE_NAMES } from '../config/names';
import type { Analytics } from './analytics';
import type { ColdStorage } from './cold-storage';
import type { Dashboard } from './dashboard';
import type { HotStorage } from './hot-storage';
import type { Ingestion } from './ingestion';
import { componentLabels } from './labels';
import { serviceAgentMember, type PipelineContext } from './pipeline-context';
import type { StreamProcessing } from './stream-processing';

export interface MonitoringProps extends PipelineContext {
  ingestion: Ingestion;
  streamProcessing: StreamProcessing;
  hotStorage: HotStorage;
  coldStorage: ColdStorage;
  analytics: Analytics;
  dashboard: Dashboard;
  /** Seconds a condition must hold before it alerts. @default 120 */
  conditionDurationSeconds?: number;
  /** Uptime check period. @default '60s' */
  uptimeCheckPeriod?: '60s' | '300s' | '600s' | '900s';
  /** Ingest 5xx responses per second that alert. @default 1 */
  ingestServerErrorRatePerSecond?: number;
  /** Bigtable disk use that alerts, percent of the cluster's storage capacity. @default 70 */
  bigtableStorageThresholdPercent?: number;
}

/** One metric-threshold condition, as the alert policies and the dashboard both use it. */
interface MetricSignal {
  /** Short id, also the construct id of its alert policy. */
  id: string;
  title: string;
  filter: string;
  aligner: 'ALIGN_MAX' | 'ALIGN_RATE' | 'ALIGN_DELTA' | 'ALIGN_MEAN';
  /** Sum the series (rates over revisions); otherwise each series alerts on its own. */
  reducer?: 'REDUCE_SUM';
  threshold: number;
  alignmentSeconds: number;
  documentation: string;
}

const quote = (value: string) => `"${value}"`;

export class Monitoring extends Construct {
  readonly notificationChannel: MonitoringNotificationChannel;
  readonly alertPolicies: MonitoringAlertPolicy[] = [];
  readonly uptimeChecks: MonitoringUptimeCheckConfig[] = [];
  readonly opsDashboard: MonitoringDashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config, ingestion, streamProcessing, hotStorage, coldStorage } = props;
    const thresholds = config.monitoring;
    const labels = componentLabels(config, 'monitoring');
    const duration = `${props.conditionDurationSeconds ?? 120}s`;

    this.notificationChannel = new MonitoringNotificationChannel(this, 'email', {
      displayName: `IoT on-call (${config.name})`,
      type: 'email',
      labels: { email_address: thresholds.notificationEmail },
      userLabels: labels,
    });

    // Filters name resources by reference, so the graph links monitoring to what it watches.
    const subscriptions = [
      ['speed-layer', ingestion.speedSubscription],
      ['archive', ingestion.archiveSubscription],
      ['dead-letter-archive', ingestion.deadLetterArchiveSubscription],
    ] as const;
    const signals: MetricSignal[] = [
      ...subscriptions.map(([name, subscription]): MetricSignal => ({
        id: `backlog-age-${name}`,
        title: `Oldest unacked message age: ${subscription.name}`,
        filter: [
          'resource.type = "pubsub_subscription"',
          `resource.labels.subscription_id = ${quote(subscription.name)}`,
          'metric.type = "pubsub.googleapis.com/subscription/oldest_unacked_message_age"',
        ].join(' AND '),
        aligner: 'ALIGN_MAX',
        threshold: thresholds.backlogAgeThresholdSeconds,
        alignmentSeconds: 60,
        documentation: `Messages on ${subscription.name} wait longer than ${thresholds.backlogAgeThresholdSeconds} s: its consumer is down, too slow or failing. A 60 s burst drains in under two minutes; longer means a stall.`,
      })),
      {
        id: 'dead-letter-traffic',
        title: `Messages dead-lettered to ${RESOURCE_NAMES.deadLetterTopic}`,
        filter: [
          'resource.type = "pubsub_topic"',
          `resource.labels.topic_id = ${quote(ingestion.deadLetterTopic.name)}`,
          'metric.type = "pubsub.googleapis.com/topic/send_message_operation_count"',
        ].join(' AND '),
        aligner: 'ALIGN_DELTA',
        reducer: 'REDUCE_SUM',
        threshold: 0,
        alignmentSeconds: 300,
        documentation: `Messages reached the dead-letter topic; read them in ${RESOURCE_NAMES.dataset}.${RESOURCE_NAMES.deadLetterTable} (the reason is in the attributes).`,
      },
      {
        id: 'processor-errors',
        title: `Speed-layer processor errors (${RESOURCE_NAMES.processorService})`,
        filter: [
          'resource.type = "cloud_run_revision"',
          `resource.labels.service_name = ${quote(streamProcessing.processor.name)}`,
          'metric.type = "logging.googleapis.com/log_entry_count"',
          'metric.labels.severity = "ERROR"',
        ].join(' AND '),
        aligner: 'ALIGN_RATE',
        reducer: 'REDUCE_SUM',
        threshold: thresholds.processorErrorRatePerSecond,
        alignmentSeconds: 60,
        documentation: 'The processor logs errors faster than the threshold: failing writes or poison messages.',
      },
      {
        id: 'ingest-server-errors',
        title: `Ingest gateway 5xx (${RESOURCE_NAMES.ingestService})`,
        filter: [
          'resource.type = "cloud_run_revision"',
          `resource.labels.service_name = ${quote(ingestion.gateway.name)}`,
          'metric.type = "run.googleapis.com/request_count"',
          'metric.labels.response_code_class = "5xx"',
        ].join(' AND '),
        aligner: 'ALIGN_RATE',
        reducer: 'REDUCE_SUM',
        threshold: props.ingestServerErrorRatePerSecond ?? 1,
        alignmentSeconds: 60,
        documentation: 'Devices get server errors: publishing to Pub/Sub fails or the gateway is overloaded.',
      },
      {
        id: 'dataflow-freshness',
        title: `Archive data freshness (${RESOURCE_NAMES.archiveJob})`,
        filter: [
          'resource.type = "dataflow_job"',
          `resource.labels.job_name = ${quote(streamProcessing.archiveJob.name)}`,
          'metric.type = "dataflow.googleapis.com/job/data_watermark_age"',
        ].join(' AND '),
        aligner: 'ALIGN_MAX',
        threshold: thresholds.dataflowFreshnessThresholdSeconds,
        alignmentSeconds: 60,
        documentation: 'The archive job is behind: BigQuery and the batch views fall behind the events.',
      },
      {
        id: 'bigtable-cpu',
        title: `Bigtable CPU (${RESOURCE_NAMES.bigtableInstance})`,
        filter: [
          'resource.type = "bigtable_cluster"',
          `resource.labels.instance = ${quote(hotStorage.instance.name)}`,
          'metric.type = "bigtable.googleapis.com/cluster/cpu_load"',
        ].join(' AND '),
        aligner: 'ALIGN_MEAN',
        threshold: thresholds.bigtableCpuThresholdPercent / 100,
        alignmentSeconds: 60,
        documentation: 'A cluster runs above its CPU threshold: the autoscaler is at its maximum or lagging; write latency rises.',
      },
      {
        id: 'bigtable-storage',
        title: `Bigtable storage utilization (${RESOURCE_NAMES.bigtableInstance})`,
        filter: [
          'resource.type = "bigtable_cluster"',
          `resource.labels.instance = ${quote(hotStorage.instance.name)}`,
          'metric.type = "bigtable.googleapis.com/cluster/storage_utilization"',
        ].join(' AND '),
        aligner: 'ALIGN_MAX',
        threshold: (props.bigtableStorageThresholdPercent ?? 70) / 100,
        alignmentSeconds: 300,
        documentation: 'A cluster holds more data than planned: check the GC max-age policies and the hot window.',
      },
      {
        id: 'batch-view-failures',
        title: `Batch view scheduled query failed (${coldStorage.batchViewQuery.displayName})`,
        filter: [
          // The project has one scheduled query; a config_id clause would need an HCL
          // expression with quotes inside the dashboard JSON.
          'resource.type = "bigquery_dts_config"',
          'metric.type = "bigquerydatatransfer.googleapis.com/transfer_config/completed_runs"',
          'metric.labels.completion_state = "FAILED"',
        ].join(' AND '),
        aligner: 'ALIGN_DELTA',
        reducer: 'REDUCE_SUM',
        threshold: 0,
        alignmentSeconds: 3600,
        documentation: `An hourly run of ${RESOURCE_NAMES.batchViewTable} failed; the batch view misses that hour until it is re-run.`,
      },
      // Spilling means Pub/Sub refused publishes: the events wait in the bucket for the replayer.
      // object_count is sampled too rarely to alert on within the RTO; writes are counted per minute.
      ...(ingestion.spillBucket
        ? [
            {
              id: 'spill-bucket-writes',
              title: `Ingest spilled batches to ${ingestion.spillBucket.name}`,
              filter: [
                'resource.type = "gcs_bucket"',
                `resource.labels.bucket_name = ${quote(ingestion.spillBucket.name)}`,
                'metric.type = "storage.googleapis.com/api/request_count"',
                'metric.labels.method = "WriteObject"',
              ].join(' AND '),
              aligner: 'ALIGN_DELTA' as const,
              reducer: 'REDUCE_SUM' as const,
              threshold: 0,
              alignmentSeconds: 300,
              documentation: `The ingest gateway could not publish to Pub/Sub and wrote batches to the spill bucket. Its replayer re-publishes them; check Pub/Sub health and that the bucket empties (objects older than the lifecycle age are deleted).`,
            },
          ]
        : []),
    ];

    for (const signal of signals) {
      this.alertPolicies.push(
        new MonitoringAlertPolicy(this, `alert-${signal.id}`, {
          displayName: signal.title,
          combiner: 'OR',
          severity: 'ERROR',
          conditions: [
            {
              displayName: signal.title,
              conditionThreshold: {
                filter: signal.filter,
                comparison: 'COMPARISON_GT',
                thresholdValue: signal.threshold,
                duration: signal.aligner === 'ALIGN_DELTA' ? '0s' : duration,
                aggregations: [
                  {
                    alignmentPeriod: `${signal.alignmentSeconds}s`,
                    perSeriesAligner: signal.aligner,
                    ...(signal.reducer ? { crossSeriesReducer: signal.reducer } : {}),
                  },
                ],
                trigger: { count: 1 },
              },
            },
          ],
          notificationChannels: [this.notificationChannel.name],
          documentation: { content: signal.documentation, mimeType: 'text/markdown' },
          alertStrategy: { autoClose: '1800s' },
          userLabels: labels,
        }),
      );
    }

    // Uptime checks. The ingest gateway answers /healthz without a key; the analytics API
    // and the dashboard are IAM-protected, so the checks present an OIDC token of the
    // Monitoring service agent, which may invoke exactly these two services.
    const monitoringAgent = serviceAgentMember(props.projectNumber, 'monitoring-notification');
    const checked: { id: string; service: CloudRunV2Service; authenticated: boolean }[] = [
      { id: 'ingest', service: ingestion.gateway, authenticated: false },
      { id: 'analytics', service: props.analytics.service, authenticated: true },
      { id: 'dashboard', service: props.dashboard.service, authenticated: true },
    ];
    for (const { id: checkId, service, authenticated } of checked) {
      const dependsOn = authenticated
        ? [
            new CloudRunV2ServiceIamMember(this, `uptime-invokes-${checkId}`, {
              name: service.name,
              location: service.location,
              role: 'roles/run.invoker',
              member: monitoringAgent,
            }),
          ]
        : [];
      const check = new MonitoringUptimeCheckConfig(this, `uptime-${checkId}`, {
        displayName: `Uptime ${service.name}`,
        timeout: '10s',
        period: props.uptimeCheckPeriod ?? '60s',
        httpCheck: {
          path: '/healthz',
          port: 443,
          useSsl: true,
          validateSsl: true,
          ...(authenticated ? { serviceAgentAuthentication: { type: 'OIDC_TOKEN' } } : {}),
        },
        monitoredResource: {
          type: 'uptime_url',
          labels: { project_id: config.project, host: Fn.replace(service.uri, 'https://', '') },
        },
        userLabels: labels,
        dependsOn,
      });
      this.uptimeChecks.push(check);
      this.alertPolicies.push(
        new MonitoringAlertPolicy(this, `alert-uptime-${checkId}`, {
          displayName: `Uptime check failing: ${service.name}`,
          combiner: 'OR',
          severity: 'CRITICAL',
          conditions: [
            {
              displayName: `${service.name} /healthz failing`,
              conditionThreshold: {
                filter: [
                  'resource.type = "uptime_url"',
                  'metric.type = "monitoring.googleapis.com/uptime_check/check_passed"',
                  `metric.labels.check_id = "${check.uptimeCheckId}"`,
                ].join(' AND '),
                comparison: 'COMPARISON_GT',
                thresholdValue: 1,
                duration: '60s',
                aggregations: [
                  {
                    alignmentPeriod: '120s',
                    perSeriesAligner: 'ALIGN_NEXT_OLDER',
                    crossSeriesReducer: 'REDUCE_COUNT_FALSE',
                    groupByFields: ['resource.label.host'],
                  },
                ],
                trigger: { count: 1 },
              },
            },
          ],
          notificationChannels: [this.notificationChannel.name],
          documentation: { content: `More than one checker region cannot reach ${service.name}/healthz.`, mimeType: 'text/markdown' },
          alertStrategy: { autoClose: '1800s' },
          userLabels: labels,
        }),
      );
    }

    this.opsDashboard = new MonitoringDashboard(this, 'ops-dashboard', {
      dashboardJson: JSON.stringify(opsDashboardJson(config.name, signals, labels)),
    });
  }
}

/** The ops dashboard: one chart per signal, two per row, thresholds drawn on the charts. */
function opsDashboardJson(environment: string, signals: MetricSignal[], labels: Record<string, string>) {
  const width = 6;
  const height = 4;
  return {
    displayName: `IoT pipeline operations (${environment})`,
    // Dashboard labels are keys only.
    labels: Object.fromEntries(Object.entries(labels).map(([key, value]) => [`${key}-${value}`.slice(0, 63), ''])),
    mosaicLayout: {
      columns: 12,
      tiles: signals.map((signal, index) => ({
        xPos: (index % 2) * width,
        yPos: Math.floor(index / 2) * height,
        width,
        height,
        widget: {
          title: signal.title,
          xyChart: {
            dataSets: [
              {
                plotType: 'LINE',
                timeSeriesQuery: {
                  timeSeriesFilter: {
                    filter: signal.filter,
                    aggregation: {
                      alignmentPeriod: `${Math.min(signal.alignmentSeconds, 300)}s`,
                      perSeriesAligner: signal.aligner,
                      ...(signal.reducer ? { crossSeriesReducer: signal.reducer } : {}),
                    },
                  },
                },
              },
            ],
            thresholds: [{ value: signal.threshold, label: 'alert' }],
          },
        },
      })),
    },
  };
}
