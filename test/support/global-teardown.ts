import { killGroup } from '../../local/emulators/processes';
import { readState, clearState } from './local-cloud-state';

export default async function globalTeardown(): Promise<void> {
  const state = readState();
  if (!state) return;
  await Promise.all(state.started.map((s) => killGroup(s.pid)));
  clearState();
}
