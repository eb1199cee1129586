import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_FLEET_EVENT_BYTES } from '../../../local/run/event-factory';
import { RunOptionsError, validateRunOptions } from '../../../local/run/options';

const scratch = mkdtempSync(join(tmpdir(), 'run-options-'));
const aFile = join(scratch, 'a-file');
writeFileSync(aFile, 'x');

describe('local run options', () => {
  it('accepts the issue\'s command line', () => {
    expect(() => validateRunOptions({ duration: 60, rate: 10_000, burst: 50_000 })).not.toThrow();
    expect(() => validateRunOptions({})).not.toThrow();
  });

  it.each([
    [{ rate: 0 }, '--rate: an integer from 1 to 1,000,000 events/s, got 0'],
    [{ rate: 1.5 }, '--rate: an integer from 1 to 1,000,000 events/s, got 1.5'],
    [{ duration: 2 }, '--duration: an integer from 5 to 86,400 seconds, got 2'],
    [{ eventSize: 9000 }, `--event-size: an integer from 200 to ${MAX_FLEET_EVENT_BYTES.toLocaleString('en-US')} bytes (the largest event the fleet pads to within the contract's attribute limits), got 9000`],
    [{ invalidShare: 0.9 }, '--invalid-share: a fraction from 0 to 0.5, got 0.9'],
    [{ burstSeconds: 30, duration: 20 }, '--burst-seconds 30 is longer than --duration 20'],
    [{ env: 'Prod!' }, '--env: must be an environment name like prod or dev, got Prod!'],
    // 1,000 devices x 100 events = 100,000 events to fill one request each; at 10 events/s that is 10,000 s > 1 h
    [{ devices: 1000, eventsPerRequest: 100, rate: 10 }, '--devices 1000 x --events-per-request 100 events would take each device over an hour to fill one request at --rate 10'],
  ])('rejects %p with one line', (options, message) => {
    expect(() => validateRunOptions(options)).toThrow(new RunOptionsError(message));
  });

  it('checks the --json file before a run of minutes starts, not after it', () => {
    expect(() => validateRunOptions({ json: join(scratch, 'out.json') })).not.toThrow();
    expect(() => validateRunOptions({ json: scratch })).toThrow(new RunOptionsError(`--json ${scratch}: is a directory; give a file path`));
    expect(() => validateRunOptions({ json: join(scratch, 'missing', 'out.json') })).toThrow(
      new RunOptionsError(`--json ${join(scratch, 'missing', 'out.json')}: folder ${join(scratch, 'missing')} does not exist`),
    );
    expect(() => validateRunOptions({ json: join(aFile, 'out.json') })).toThrow(new RunOptionsError(`--json ${join(aFile, 'out.json')}: ${aFile} is not a folder`));
    expect(() => validateRunOptions({ json: ' ' })).toThrow(new RunOptionsError('--json: a file path is required'));
  });
});
