import { createServer, type Server } from 'node:http';
import type { BeaconServer } from '@discret/beacon';

/**
 * GET /health -> "ok"; GET /metrics -> the beacon's gauges in Prometheus text format. Plain
 * node:http: a few gauges need no metrics framework.
 */
export async function serveMetrics(hostPort: string, beacon: BeaconServer): Promise<Server> {
  const at = hostPort.lastIndexOf(':');
  const host = at > 0 ? hostPort.slice(0, at) : '127.0.0.1';
  const port = Number(at >= 0 ? hostPort.slice(at + 1) : hostPort);
  const server = createServer((request, response) => {
    if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (request.url === '/metrics') {
      const { peers, tokens } = beacon.registry.size;
      const memory = process.memoryUsage();
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end([
        '# HELP discret_beacon_clients Clients connected now.',
        '# TYPE discret_beacon_clients gauge',
        `discret_beacon_clients ${beacon.clientCount}`,
        '# HELP discret_beacon_registered_peers Peers with a live registration.',
        '# TYPE discret_beacon_registered_peers gauge',
        `discret_beacon_registered_peers ${peers}`,
        '# HELP discret_beacon_tokens Distinct tokens registered.',
        '# TYPE discret_beacon_tokens gauge',
        `discret_beacon_tokens ${tokens}`,
        '# HELP discret_beacon_federated_links Links open to federated beacons (--federate).',
        '# TYPE discret_beacon_federated_links gauge',
        `discret_beacon_federated_links ${beacon.federatedLinks}`,
        '# HELP process_resident_memory_bytes Resident memory.',
        '# TYPE process_resident_memory_bytes gauge',
        `process_resident_memory_bytes ${memory.rss}`,
        '',
      ].join('\n'));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
