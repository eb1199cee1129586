/** google_secret_manager_secret_version: active versions per month plus access operations. */
import { costLine, fmt, range, unitPrice, type PriceModel } from './types';

const OPERATIONS_PER_UNIT = 10_000;

export const secretVersionModel: PriceModel = {
  types: ['google_secret_manager_secret_version'],
  price(version, ctx, _state, out) {
    const active = ctx.data.price('secretmanager.active-version', '*')!;
    const access = ctx.data.price('secretmanager.access-per-10k', '*')!;
    const accesses = ctx.usageOf(version.address).accessesPerMonth;
    const cost = active.value + ((accesses ?? 0) / OPERATIONS_PER_UNIT) * access.value;
    out.lines.push(costLine(ctx, version, 'active version + accesses', range(cost, cost, cost), `1 version x ${unitPrice(active)} + ${fmt(accesses ?? 0)} accesses x ${unitPrice(access)}/10,000`, [active, access], 'global'));
    if (accesses === undefined) out.warnings.push(`${version.address}: access operations assumed 0 (read at instance start only); set accessesPerMonth in the usage file`);
  },
};
