/**
 * google_storage_bucket: Standard storage of the objects it holds. Object sizes come from
 * the usage file (storageGiB) or from inline `content`; objects uploaded from a file have no
 * size in the graph and are reported.
 */
import { costLine, fmt, needPrice, range, unitPrice, type PriceModel } from './types';

export const storageBucketModel: PriceModel = {
  types: ['google_storage_bucket'],
  price(bucket, ctx, _state, out) {
    const location = typeof bucket.values.location === 'string' ? bucket.values.location : bucket.region;
    // Bucket locations are case-insensitive; prices key regions in lower case and multi- and
    // dual-regions (US, EU, NAM4) in capitals, as regions.json names them.
    const region = location === undefined ? undefined : ctx.data.continent(location.toLowerCase()) !== undefined ? location.toLowerCase() : location.toUpperCase();
    const price = needPrice(ctx, 'storage.standard', region, bucket.address);
    if (typeof price === 'string') return void out.unpriced.push(price);
    const override = ctx.usageOf(bucket.address).storageGiB;
    let gib: number;
    let basis: string;
    let warning: string | undefined;
    if (override !== undefined) {
      gib = override;
      basis = `usage file: ${override} GiB`;
    } else {
      const objects = ctx.topology.referrersAmong(bucket, ctx.topology.ofType('google_storage_bucket_object'), 'bucket');
      let bytes = 0;
      const unsized: string[] = [];
      for (const o of objects) {
        const content = o.values.content;
        if (typeof content === 'string') bytes += Buffer.byteLength(content);
        else unsized.push(o.address);
      }
      gib = bytes / ctx.data.bytesPerGiB;
      basis = `${objects.length} declared objects, ${bytes} bytes of inline content`;
      if (unsized.length > 0) {
        warning = `${bucket.address}: size of ${unsized.join(', ')} unknown (uploaded from a file); set storageGiB in the usage file if it is large`;
        basis += `; ${unsized.length} object(s) of unknown size`;
      }
    }
    const cost = gib * price.value;
    out.lines.push(costLine(ctx, bucket, 'Standard storage', range(cost, cost, cost), `${basis}: ${fmt(gib, 6)} GiB x ${unitPrice(price)}/GiB-month`, [price], region));
    if (warning !== undefined) out.warnings.push(warning);
  },
};
