/** The catalogue of change generators, one concern per file. */
import type { ChangeGenerator } from '../generator';
import { bigtableReplication } from './bigtable-replication';
import { deadLetter } from './dead-letter';
import { delivery } from './delivery';
import { security } from './security';
import { sizing } from './sizing';
import { streamingEngine } from './streaming-engine';

export const CHANGE_GENERATORS: readonly ChangeGenerator[] = [sizing, bigtableReplication, streamingEngine, deadLetter, delivery, security];
