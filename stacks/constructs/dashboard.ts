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
import { createCloudRunService } from './cloud-run-service';
import { componentLabels } from './labels';
import type { PipelineContext } from './pipeline-context';

export interface DashboardProps extends PipelineContext {
  analytics: Analytics;
}

export class Dashboard extends Construct {
  readonly serviceAccount: ServiceAccount;
  readonly service: CloudRunV2Service;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const { config, analytics } = props;

    this.serviceAccount = new ServiceAccount(this, 'sa', {
      accountId: 'iot-dashboard',
      displayName: 'IoT live dashboard (Cloud Run)',
    });
    const invokesAnalytics = new CloudRunV2ServiceIamMember(this, 'invokes-analytics', {
      name: analytics.service.name,
      location: analytics.service.location,
      role: 'roles/run.invoker',
      member: `serviceAccount:${this.serviceAccount.email}`,
    });

    this.service = createCloudRunService(this, 'service', {
      name: RESOURCE_NAMES.dashboardService,
      region: config.region,
      image: config.images.dashboard,
      sizing: config.dashboard,
      serviceAccountEmail: this.serviceAccount.email,
      env: {
        [ENV_VARS.project]: config.project,
        [ENV_VARS.analyticsUrl]: analytics.service.uri,
      },
      labels: componentLabels(config, 'dashboard'),
    });
    this.service.node.addDependency(invokesAnalytics);

    config.access.dashboardViewers.forEach((viewer, index) => {
      new CloudRunV2ServiceIamMember(this, `viewer-${index}`, {
        name: this.service.name,
        location: this.service.location,
        role: 'roles/run.invoker',
        member: viewer,
      });
    });
  }
}
