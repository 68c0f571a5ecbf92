#!/usr/bin/env node
// autocannon in its own process, sending the bodies in turn (the CLI sends one fixed body); prints what load.ts reads.
'use strict';
const autocannon = require('autocannon');

const spec = JSON.parse(process.argv[2]);
let next = 0;
autocannon(
  {
    url: spec.url,
    method: 'POST',
    connections: spec.connections,
    duration: spec.seconds,
    headers: spec.headers,
    requests: [{ setupRequest: (request) => ({ ...request, body: spec.bodies[next++ % spec.bodies.length] }) }],
  },
  (error, r) => {
    if (error) {
      process.stderr.write(`autocannon failed: ${error.message}\n`);
      process.exit(1);
    }
    const { p50, p99, mean } = r.latency;
    process.stdout.write(`${JSON.stringify({ total: r.requests.total, rps: r.requests.total / r.duration, p50, p99, mean, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts })}\n`);
  },
);
