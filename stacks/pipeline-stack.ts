/**
 * One environment of the pipeline as a Terraform stack (`iot-pipeline-<env>`): the Google
 * provider, the seven component constructs, and the verification gate.
 */
import * as path from 'node:path';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, type Construct } from './cdk';
import type { EnvironmentConfig } from './config/types';
import { Analytics } from './constructs/analytics';
import { ColdStorage } from './constructs/cold-storage';
import { Dashboard } from './constructs/dashboard';
import { HotStorage } from './constructs/hot-storage';
import { Ingestion } from './constructs/ingestion';
import { Monitoring } from './constructs/monitoring';
import type { PipelineContext } from './constructs/pipeline-context';
import { StreamProcessing } from './constructs/stream-processing';
import { VerificationGate, type VerificationGateOptions } from './verification-gate';

/** Repository root (stacks/ sits directly under it). */
export const REPO_ROOT = path.resolve(__dirname, '..');
/** The archive UDF as the data plane builds it. */
export const UDF_BUILD_PATH = path.join(REPO_ROOT, 'functions', 'dist', 'udf', 'transform.js');

export function stackName(environment: string): string {
  return `iot-pipeline-${environment}`;
}

export interface PipelineStackOptions {
  /** Synth output folder of the app; sets the UDF path relative to the stack folder. @default 'cdktf.out' */
  outdir?: string;
  /** Gate options (engine, today, skip); the spec always comes from the config. */
  verification?: Omit<VerificationGateOptions, 'spec' | 'sourcePath'>;
}

export class PipelineStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  readonly gate: VerificationGate;
  readonly ingestion: Ingestion;
  readonly streamProcessing: StreamProcessing;
  readonly hotStorage: HotStorage;
  readonly coldStorage: ColdStorage;
  readonly analytics: Analytics;
  readonly dashboard: Dashboard;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, config: EnvironmentConfig, options: PipelineStackOptions = {}) {
    const name = stackName(config.name);
    super(scope, name);
    this.config = config;
    assertNothingPublic(config);

    new GoogleProvider(this, 'google', { project: config.project, region: config.region });
    const project = new DataGoogleProject(this, 'project', { projectId: config.project });
    const context: PipelineContext = { config, projectNumber: project.number };

    // Terraform runs in <outdir>/stacks/<stack>; point it at the built UDF from there.
    const stackDir = path.resolve(options.outdir ?? 'cdktf.out', 'stacks', name);
    const udfSourcePath = `\${path.module}/${path.relative(stackDir, UDF_BUILD_PATH).split(path.sep).join('/')}`;

    this.coldStorage = new ColdStorage(this, 'cold-storage', context);
    this.hotStorage = new HotStorage(this, 'hot-storage', context);
    this.ingestion = new Ingestion(this, 'ingestion', { ...context, deadLetterTable: this.coldStorage.deadLetterTable });
    this.streamProcessing = new StreamProcessing(this, 'stream-processing', {
      ...context,
      ingestion: this.ingestion,
      hotStorage: this.hotStorage,
      coldStorage: this.coldStorage,
      udfSourcePath,
    });
    this.analytics = new Analytics(this, 'analytics', { ...context, hotStorage: this.hotStorage, coldStorage: this.coldStorage });
    this.dashboard = new Dashboard(this, 'dashboard', { ...context, analytics: this.analytics });
    this.monitoring = new Monitoring(this, 'monitoring', {
      ...context,
      ingestion: this.ingestion,
      streamProcessing: this.streamProcessing,
      hotStorage: this.hotStorage,
      coldStorage: this.coldStorage,
      analytics: this.analytics,
      dashboard: this.dashboard,
    });

    this.gate = new VerificationGate(this, {
      ...options.verification,
      spec: config.spec,
      sourcePath: path.join(options.outdir ?? 'cdktf.out', 'stacks', name, 'cdk.tf.json'),
    });
    this.node.addValidation(this.gate);
  }
}

const PUBLIC_MEMBERS = new Set(['allUsers', 'allAuthenticatedUsers']);

/** The config cannot open anything to the public: the dashboard viewers must be identities. */
function assertNothingPublic(config: EnvironmentConfig): void {
  const publicViewer = config.access.dashboardViewers.find((member) => PUBLIC_MEMBERS.has(member));
  if (publicViewer) {
    throw new Error(`environment "${config.name}": access.dashboardViewers must not contain ${publicViewer}`);
  }
}
