import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Route =
  'cache' | 'objects' | 'objects_missing' | 'objects_pack' | 'healthz' | 'metrics' | 'other';

/** The server's Prometheus metrics, on a registry of its own (several servers can share a process). */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly bytesIn: Counter<'route'>;
  private readonly bytesOut: Counter<'route'>;
  private readonly lookups: Counter<'route' | 'result'>;
  private readonly duration: Histogram<'route' | 'method'>;
  private hits = 0;
  private misses = 0;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'cairn_cache_requests_total',
      help: 'HTTP requests by route, method and status code',
      labelNames: ['route', 'method', 'status'],
      registers: [this.registry],
    });
    this.bytesIn = new Counter({
      name: 'cairn_cache_received_bytes_total',
      help: 'Request body bytes received',
      labelNames: ['route'],
      registers: [this.registry],
    });
    this.bytesOut = new Counter({
      name: 'cairn_cache_sent_bytes_total',
      help: 'Response body bytes sent for stored entries',
      labelNames: ['route'],
      registers: [this.registry],
    });
    this.lookups = new Counter({
      name: 'cairn_cache_lookups_total',
      help: 'GET lookups of stored entries by result (hit or miss)',
      labelNames: ['route', 'result'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'cairn_cache_request_duration_seconds',
      help: 'Time from request to the end of the response',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
    const ratio = () => (this.hits + this.misses === 0 ? 0 : this.hits / (this.hits + this.misses));
    new Gauge({
      name: 'cairn_cache_hit_ratio',
      help: 'Hits / (hits + misses) of Nx task-output GETs since start (0 before any lookup)',
      registers: [this.registry],
      collect() {
        this.set(ratio());
      },
    });
  }

  request(
    route: Route,
    method: string,
    status: number,
    seconds: number,
    bytesIn: number,
    bytesOut: number,
  ): void {
    this.requests.inc({ route, method, status: String(status) });
    this.duration.observe({ route, method }, seconds);
    if (bytesIn > 0) this.bytesIn.inc({ route }, bytesIn);
    if (bytesOut > 0) this.bytesOut.inc({ route }, bytesOut);
  }

  lookup(route: Route, hit: boolean): void {
    this.lookups.inc({ route, result: hit ? 'hit' : 'miss' });
    if (route !== 'cache') return;
    if (hit) this.hits += 1;
    else this.misses += 1;
  }
}
