/** RTO per DR scenario within the spec bound. */
import { drRule } from './support/dr-check';

export const rule = drRule('rto');
