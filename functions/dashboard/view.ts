/**
 * What the dashboard page shows, independent of how the analytics API words it: the page and
 * its tests code against these shapes; `analytics-client.ts` maps the API's answers to them.
 */
export interface LiveView {
  /** The moment the figures describe (the analytics API's snapshot time), ISO 8601. */
  asOf: string;
  /** When the dashboard service fetched them, ISO 8601. */
  fetchedAt: string;
  eventsPerSecond: number | null;
  latencyMs: { p50: number | null; p99: number | null };
  /**
   * Subscription backlog (undelivered messages) when the source knows it (Cloud Monitoring);
   * messages leased by the processor and not yet acknowledged in any case.
   */
  backlog: { messages: number | null; inFlightMessages: number | null; oldestAgeSeconds: number | null };
  deadLetters: number | null;
  eventsProcessed: number | null;
  topDevices: { deviceId: string; events: number }[];
  /** Problems the analytics API reported about its own sources (e.g. processor unreachable). */
  warnings: string[];
}

export interface DevicePoint {
  /** Window end, epoch ms. */
  t: number;
  events: number;
  /** Mean of one metric over the window, when the device reports it. */
  mean: number | null;
}

export interface DeviceSeries {
  deviceId: string;
  metric: string | null;
  points: DevicePoint[];
  asOf: string;
}
