/** The catalogue of change generators, one concern per file. */
import type { ChangeGenerator } from '../generator';
import { batching } from './batching';
import { bigtableNodes } from './bigtable-nodes';
import { bigtableReplication } from './bigtable-replication';
import { bigtableStorage } from './bigtable-storage';
import { cloudRunScaling } from './cloud-run-scaling';
import { dataflowSizing } from './dataflow-sizing';
import { deadLetter } from './dead-letter';
import { delivery } from './delivery';
import { retention } from './retention';
import { security } from './security';

export const CHANGE_GENERATORS: readonly ChangeGenerator[] = [
  bigtableNodes,
  bigtableStorage,
  bigtableReplication,
  cloudRunScaling,
  dataflowSizing,
  retention,
  deadLetter,
  delivery,
  security,
  batching,
];
