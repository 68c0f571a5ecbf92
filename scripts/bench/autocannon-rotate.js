#!/usr/bin/env node
// Runs autocannon (its programmatic API, in this separate process) with request bodies taken in turn from a list,
// and prints its result as JSON, like the CLI's `-j`. The CLI sends one fixed body; a write load on one pool would
// then measure the per-pool edit lock (writes to one pool are serialized on purpose), not the code.
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
  (error, result) => {
    if (error) {
      process.stderr.write(`autocannon failed: ${error.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  },
);
