/**
 * Dashboard: the live web page on Cloud Run, reading the analytics API. Its service
 * account may invoke the analytics service and nothing else; only the configured viewers
 * may open it.
 */
import type { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from '../cdk';
import { ENV_VARS, RESOURCE_NAMES } from '../config/names';
import type { Analytics } from './analytics';
import { createCloudRunService, regionalDeployments } from './cloud-run-service';
import { componentLabels } from './labels';
import type { PipelineContext } from './pipeline-context';

/** The page refreshes every 2 s unless the config says otherwise: 5 s freshness with room for the path. */
const DEFAULT_REFRESH_SECONDS = 2;

export interface DashboardProps extends PipelineContext {
  analytics: Analytics;
}

export class Dashboard extends Construct {
  readonly serviceAccount: ServiceAccount;
  /** The dashboard in the primary region. */
  readonly service: CloudRunV2Service;
  /** The dashboard in every region, each reading the analytics API of its own region. */
  readonly services: CloudRunV2Service[];

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const { config, analytics } = props;

    this.serviceAccount = new ServiceAccount(this, 'sa', {
      accountId: 'iot-dashboard',
      displayName: 'IoT live dashboard (Cloud Run)',
    });
    const { refreshSeconds = DEFAULT_REFRESH_SECONDS, ...sizing } = config.dashboard;
    const deployments = regionalDeployments(config, sizing);
    this.services = deployments.map(({ region, sizing: regional, suffix }, index) => {
      const api = analytics.services[index] ?? analytics.service;
      const invokesAnalytics = new CloudRunV2ServiceIamMember(this, `invokes-analytics${suffix}`, {
        name: api.name,
        location: api.location,
        role: 'roles/run.invoker',
        member: `serviceAccount:${this.serviceAccount.email}`,
      });
      const service = createCloudRunService(this, `service${suffix}`, {
        name: RESOURCE_NAMES.dashboardService,
        region,
        image: config.images.dashboard,
        sizing: regional,
        serviceAccountEmail: this.serviceAccount.email,
        env: {
          [ENV_VARS.project]: config.project,
          [ENV_VARS.analyticsUrl]: api.uri,
          [ENV_VARS.dashboardRefreshSeconds]: String(refreshSeconds),
        },
        dependsOn: [invokesAnalytics],
        labels: componentLabels(config, 'dashboard'),
      });
      config.access.dashboardViewers.forEach((viewer, v) => {
        new CloudRunV2ServiceIamMember(this, `viewer-${v}${suffix}`, {
          name: service.name,
          location: service.location,
          role: 'roles/run.invoker',
          member: viewer,
        });
      });
      return service;
    });
    this.service = this.services[0];
  }
}
