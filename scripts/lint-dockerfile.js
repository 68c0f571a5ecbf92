#!/usr/bin/env node
/**
 * `npm run lint:dockerfile`: lints ./Dockerfile and ./.dockerignore.
 *
 * 1. dockerfile-utils' validator (the checks the Docker builder makes): any Error or Warning fails.
 * 2. This project's image policy (nodejs/docker-node best practices, OWASP Node.js Docker cheat sheet):
 *    pinned base images on an LTS Node, a non-root final stage with NODE_ENV=production, exec-form
 *    CMD/ENTRYPOINT that start node rather than a package manager, production-only installs without install
 *    scripts, a HEALTHCHECK and an EXPOSE, `--chown` on final-stage copies, no remote ADD, no secrets in ENV/ARG.
 * 3. .dockerignore exists and keeps node_modules and .git out of the build context.
 *
 * Usage: node scripts/lint-dockerfile.js [path/to/Dockerfile]   (.dockerignore is read from the same folder)
 * Exits 0 and prints "lint:dockerfile: ok (N checks)", or prints one line per problem and exits 1.
 * The checks are exported as lintDockerfile(content, dockerignore) for the unit tests.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { validate, ValidationSeverity } = require('dockerfile-utils');
// The parser dockerfile-utils itself is built on, resolved from dockerfile-utils so it is always its own copy.
const { DockerfileParser } = require(
  require.resolve('dockerfile-ast', { paths: [path.dirname(require.resolve('dockerfile-utils'))] }),
);

/** Every validator check on, and each one fails the lint (Warning and Error both count as failures). */
const VALIDATOR_SETTINGS = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

/** LSP DiagnosticSeverity values that fail the lint (1 = Error, 2 = Warning; 3 and 4 are Information and Hint). */
const FAILING_SEVERITIES = new Map([
  [1, 'error'],
  [2, 'warning'],
]);

const MIN_NODE_MAJOR = 22;
const PACKAGE_MANAGERS = new Set(['npm', 'npx', 'yarn', 'pnpm', 'corepack']);
const INIT_PROGRAMS = new Set(['tini', 'tini-static', 'dumb-init', 'catatonit']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh']);
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY/i;
/** Variables that name where a secret is (a mounted file, a path), not the secret itself. */
const SECRET_LOCATION_NAME = /_(FILE|PATH|DIR)$/i;
const REMOTE_SOURCE = /^([a-z][a-z0-9+.-]*:\/\/|git@)/i;

/** The rules, in the order they are reported; `lint:dockerfile: ok (N checks)` counts them. */
const RULES = [
  'dockerfile-utils',
  'pinned-base-image',
  'node-lts-base',
  'final-stage-user',
  'final-stage-node-env',
  'exec-form',
  'no-package-manager-cmd',
  'runtime-npm-ci-flags',
  'healthcheck',
  'expose',
  'final-stage-copy-chown',
  'no-remote-add',
  'no-secret-env',
  'dockerignore',
];

/**
 * Lints a Dockerfile and its .dockerignore.
 * @param {string} content the Dockerfile's text
 * @param {string | null | undefined} dockerignore the .dockerignore's text, or null/undefined when there is none
 * @returns {string[]} one message per problem ("Dockerfile:LINE[:COL] [rule] ..."); empty when all rules pass
 */
function lintDockerfile(content, dockerignore) {
  const problems = [];
  const report = (rule, where, message) => problems.push(`${where} [${rule}] ${message}`);
  const at = (line) => `Dockerfile:${line}`;

  // 1. The validator.
  for (const d of validate(content, VALIDATOR_SETTINGS)) {
    const severity = FAILING_SEVERITIES.get(d.severity ?? 1);
    if (!severity) continue;
    const { line, character } = d.range.start;
    problems.push(`Dockerfile:${line + 1}:${character + 1} [dockerfile-utils] ${severity}: ${d.message}`);
  }

  // 2. Policy.
  const dockerfile = DockerfileParser.parse(content);
  const instructions = dockerfile.getInstructions();
  const lineOf = (instruction) => instruction.getRange().start.line + 1;
  const froms = instructions.filter((i) => i.getKeyword() === 'FROM');
  if (froms.length === 0) {
    // The validator has reported it; the policy rules have no stage to look at.
    checkDockerignore(dockerignore, report);
    return problems;
  }
  const lastFrom = froms[froms.length - 1];
  const finalStage = instructions.slice(instructions.indexOf(lastFrom) + 1);
  const inFinal = (keyword) => finalStage.filter((i) => i.getKeyword() === keyword);
  const finalLine = lineOf(lastFrom);

  // Base images: pinned, and Node images on an even (LTS) major >= 22.
  const stageNames = new Set();
  const argDefaults = defaultsOf(dockerfile.getInitialARGs());
  for (const from of froms) {
    const line = lineOf(from);
    const args = from.getArguments().map((a) => a.getValue());
    const raw = args[0] ?? '';
    const stage = args.length >= 3 && args[1].toUpperCase() === 'AS' ? args[2].toLowerCase() : null;
    const image = expandVariables(raw, argDefaults);
    if (stageNames.has(image.toLowerCase())) {
      // FROM <earlier stage>: not an image reference.
    } else if (image.includes('$')) {
      report('pinned-base-image', at(line), `FROM ${raw}: cannot check the pin of an image built from a variable without a default`);
    } else if (image !== 'scratch') {
      const ref = parseImageReference(image);
      if (!ref.digest && !ref.tag) {
        report('pinned-base-image', at(line), `FROM ${raw}: no tag; pin a version tag such as node:24.21.0-bookworm-slim (or a digest)`);
      } else if (!ref.digest && ref.tag.toLowerCase() === 'latest') {
        report('pinned-base-image', at(line), `FROM ${raw}: "latest" is not a pin; use a full version tag (major.minor.patch) or a digest`);
      } else if (!ref.digest && !/^v?\d+\.\d+\.\d+(?![.\d])/.test(ref.tag)) {
        report('pinned-base-image', at(line), `FROM ${raw}: tag "${ref.tag}" floats; pin at least major.minor.patch (e.g. 24.21.0-bookworm-slim) or a digest`);
      }
      if (ref.name.split('/').pop() === 'node') {
        const major = ref.tag ? /^v?(\d+)(?:[.-]|$)/.exec(ref.tag) : null;
        if (!major) {
          report('node-lts-base', at(line), `FROM ${raw}: the tag must name the Node version (an even LTS major >= ${MIN_NODE_MAJOR})`);
        } else if (Number(major[1]) % 2 !== 0 || Number(major[1]) < MIN_NODE_MAJOR) {
          report('node-lts-base', at(line), `FROM ${raw}: Node ${major[1]} is not a supported LTS line; use an even major >= ${MIN_NODE_MAJOR} (22 or 24)`);
        }
      }
    }
    if (stage) stageNames.add(stage);
  }

  // The final stage runs as a non-root user.
  const users = inFinal('USER');
  if (users.length === 0) {
    report('final-stage-user', at(finalLine), 'the final stage has no USER instruction, so the container runs as root; add `USER node`');
  } else {
    const last = users[users.length - 1];
    const user = (last.getArguments()[0]?.getValue() ?? '').split(':')[0];
    if (user === '' || user === 'root' || user === '0') {
      report('final-stage-user', at(lineOf(last)), `USER ${last.getArgumentsContent() ?? ''}: the final stage must not run as root`);
    }
  }

  // NODE_ENV=production in the final stage (the last assignment wins).
  let nodeEnv = null;
  for (const env of inFinal('ENV')) {
    for (const property of env.getProperties()) {
      if (property.getName() === 'NODE_ENV') nodeEnv = { value: property.getValue(), line: lineOf(env) };
    }
  }
  if (!nodeEnv) {
    report('final-stage-node-env', at(finalLine), 'the final stage does not set `ENV NODE_ENV=production`');
  } else if (nodeEnv.value !== 'production') {
    report('final-stage-node-env', at(nodeEnv.line), `NODE_ENV is "${nodeEnv.value ?? ''}" in the final stage; it must be production`);
  }

  // CMD and ENTRYPOINT in exec form; the process they start is not a package manager.
  for (const instruction of instructions.filter((i) => i.getKeyword() === 'CMD' || i.getKeyword() === 'ENTRYPOINT')) {
    if (!execForm(instruction)) {
      report(
        'exec-form',
        at(lineOf(instruction)),
        `${instruction.getKeyword()} ${instruction.getArgumentsContent() ?? ''}: use the exec (JSON array) form, e.g. ["node", "dist/index.js"]; the shell form puts /bin/sh between the runtime and Node, so SIGTERM never reaches Node`,
      );
    }
  }
  const entrypoint = inFinal('ENTRYPOINT').pop();
  const cmd = inFinal('CMD').pop();
  const program = mainProgram([...(entrypoint ? words(entrypoint) : []), ...(cmd ? words(cmd) : [])]);
  if (program && PACKAGE_MANAGERS.has(program)) {
    const culprit = cmd ?? entrypoint;
    report('no-package-manager-cmd', at(lineOf(culprit)), `${culprit.getKeyword()} starts ${program}: run node directly (CMD ["node", "dist/index.js"]); a package manager does not forward SIGTERM to Node and needs its own files at run time`);
  }

  // Installs in the final stage: npm ci, production dependencies only, no install scripts.
  for (const run of inFinal('RUN')) {
    for (const command of shellCommands(runScript(run))) {
      if (path.posix.basename(command[0]) !== 'npm') continue;
      const sub = command.slice(1).find((w) => !w.startsWith('-'));
      if (sub === 'ci' || sub === 'clean-install' || sub === 'install' || sub === 'i' || sub === 'add') {
        const flags = command.slice(1);
        const missing = [];
        if (sub !== 'ci' && sub !== 'clean-install') missing.push('`npm ci` (the lockfile, exactly) instead of `npm ' + sub + '`');
        if (!hasOption(flags, '--omit', 'dev')) missing.push('--omit=dev');
        if (!flags.includes('--ignore-scripts')) missing.push('--ignore-scripts');
        if (missing.length > 0) {
          report('runtime-npm-ci-flags', at(lineOf(run)), `\`${command.join(' ')}\` in the final stage: needs ${missing.join(', ')}`);
        }
      }
    }
  }

  // A HEALTHCHECK (not NONE) and an EXPOSE in the final stage.
  const healthcheck = inFinal('HEALTHCHECK').pop();
  if (!healthcheck) {
    report('healthcheck', at(finalLine), 'the final stage has no HEALTHCHECK; probe /healthz with node (the slim image has no curl)');
  } else if ((healthcheck.getArguments()[0]?.getValue() ?? '').toUpperCase() === 'NONE') {
    report('healthcheck', at(lineOf(healthcheck)), 'HEALTHCHECK NONE turns the health check off; probe /healthz instead');
  }
  if (inFinal('EXPOSE').length === 0) {
    report('expose', at(finalLine), 'the final stage has no EXPOSE for the port the server listens on (4000)');
  }

  // Files copied into the final stage belong to the runtime user, not root by default.
  for (const copy of [...inFinal('COPY'), ...inFinal('ADD')]) {
    if (!copy.getFlags().some((f) => f.getName() === 'chown')) {
      report('final-stage-copy-chown', at(lineOf(copy)), `${copy.getKeyword()} ${copy.getArgumentsContent() ?? ''}: add --chown=node:node (files copied without it are owned by root)`);
    }
  }

  // ADD never fetches from the network (unverified, uncached downloads); download with checksums in a RUN, or COPY.
  for (const add of instructions.filter((i) => i.getKeyword() === 'ADD')) {
    const sources = words(add).slice(0, -1);
    for (const source of sources.filter((s) => REMOTE_SOURCE.test(s))) {
      report('no-remote-add', at(lineOf(add)), `ADD ${source}: no ADD from a URL; COPY local files, or download and verify a checksum in a RUN`);
    }
  }

  // No secret given a value in ENV or ARG: both end up in the image's metadata and history.
  for (const instruction of instructions.filter((i) => i.getKeyword() === 'ENV' || i.getKeyword() === 'ARG')) {
    for (const property of instruction.getProperties()) {
      const name = property.getName();
      const value = property.getValue();
      if (SECRET_NAME.test(name) && !SECRET_LOCATION_NAME.test(name) && value !== null && value !== '') {
        report('no-secret-env', at(lineOf(instruction)), `${instruction.getKeyword()} ${name} has a value baked into the image; pass secrets at run time (orchestrator secrets, mounted files) or with RUN --mount=type=secret`);
      }
    }
  }

  // 3. .dockerignore.
  checkDockerignore(dockerignore, report);
  return problems;
}

function checkDockerignore(dockerignore, report) {
  if (dockerignore === null || dockerignore === undefined) {
    report('dockerignore', '.dockerignore', 'is missing; without it node_modules, .git and local .env files are sent to the builder');
    return;
  }
  for (const name of ['node_modules', '.git']) {
    if (!ignores(dockerignore, name)) {
      report('dockerignore', '.dockerignore', `does not exclude ${name}; list it so it stays out of the build context`);
    }
  }
}

/** Whether .dockerignore leaves the top-level entry `name` excluded (later lines win; `!` re-includes). */
function ignores(dockerignore, name) {
  let excluded = false;
  for (const rawLine of dockerignore.split(/\r?\n/)) {
    let line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1).trim();
    line = line.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
    if (line === name || line === `**/${name}` || line === '*' || line === '**') excluded = !negated;
  }
  return excluded;
}

/** Defaults of the ARGs declared before the first FROM (the only ones a FROM can use). */
function defaultsOf(args) {
  const defaults = new Map();
  for (const arg of args) {
    for (const property of arg.getProperties()) {
      if (property.getValue() !== null) defaults.set(property.getName(), property.getValue());
    }
  }
  return defaults;
}

/** Expands $NAME, ${NAME} and ${NAME:-default} from ARG defaults; unknown variables are left as they are. */
function expandVariables(text, defaults) {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced, fallback, bare) => {
    const name = braced ?? bare;
    if (defaults.has(name)) return defaults.get(name);
    return fallback ?? match;
  });
}

/** Splits [registry/]name[:tag][@digest]. */
function parseImageReference(image) {
  let rest = image;
  let digest = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest.toLowerCase(), tag, digest: digest && /^sha256:[0-9a-f]{64}$/i.test(digest) ? digest : null };
}

/** Whether a CMD/ENTRYPOINT/RUN is written as a JSON array of strings. */
function execForm(instruction) {
  const text = (instruction.getArgumentsContent() ?? '').trim();
  if (!text.startsWith('[')) return false;
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every((w) => typeof w === 'string');
  } catch {
    return false;
  }
}

/** The words of a CMD/ENTRYPOINT/ADD: the JSON array, or the shell form split on blanks. */
function words(instruction) {
  if (execForm(instruction)) return JSON.parse((instruction.getArgumentsContent() ?? '').trim());
  return instruction.getArguments().map((a) => a.getValue());
}

/** The program an ENTRYPOINT+CMD runs, past an init (tini ... --) and `sh -c "..."`, as a bare name. */
function mainProgram(argv) {
  let rest = argv;
  for (let guard = 0; guard < 4 && rest.length > 0; guard++) {
    const first = path.posix.basename(rest[0]);
    if (INIT_PROGRAMS.has(first)) {
      const dashes = rest.indexOf('--');
      rest = rest.slice(dashes >= 0 ? dashes + 1 : 1);
      while (rest.length > 0 && rest[0].startsWith('-')) rest = rest.slice(1);
      continue;
    }
    if (first === 'exec' || first === 'env') {
      rest = rest.slice(1).filter((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
      continue;
    }
    if (SHELLS.has(first)) {
      const c = rest.indexOf('-c');
      if (c >= 0 && rest[c + 1] !== undefined) {
        rest = rest[c + 1].trim().split(/\s+/);
        continue;
      }
    }
    return first;
  }
  return rest.length > 0 ? path.posix.basename(rest[0]) : null;
}

/** The shell script of a RUN (exec form joined with spaces). */
function runScript(run) {
  if (execForm(run)) return JSON.parse((run.getArgumentsContent() ?? '').trim()).join(' ');
  return run.getArgumentsContent() ?? '';
}

/** Splits a shell script into simple commands (on && || ; | and newlines), each as words without quotes. */
function shellCommands(script) {
  return script
    .split(/&&|\|\||[;|\n]/)
    .map((part) =>
      part
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '')
        .map((w) => w.replace(/^['"]|['"]$/g, '')),
    )
    .map((command) => {
      // Skip leading VAR=value assignments and `exec`.
      let i = 0;
      while (i < command.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(command[i]) || command[i] === 'exec')) i++;
      return command.slice(i);
    })
    .filter((command) => command.length > 0);
}

/** Whether the flags hold `--name=value` or `--name value`. */
function hasOption(flags, name, value) {
  return flags.some((f, i) => f === `${name}=${value}` || (f === name && flags[i + 1] === value));
}

function main() {
  const dockerfilePath = path.resolve(process.argv[2] ?? 'Dockerfile');
  const ignorePath = path.join(path.dirname(dockerfilePath), '.dockerignore');
  let content;
  try {
    content = fs.readFileSync(dockerfilePath, 'utf8');
  } catch (error) {
    process.stderr.write(`lint:dockerfile: cannot read ${dockerfilePath}: ${error.message}\n`);
    process.exit(1);
  }
  const dockerignore = fs.existsSync(ignorePath) ? fs.readFileSync(ignorePath, 'utf8') : null;
  const problems = lintDockerfile(content, dockerignore);
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`${problem}\n`);
    process.stderr.write(`lint:dockerfile: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    process.exit(1);
  }
  process.stdout.write(`lint:dockerfile: ok (${RULES.length} checks)\n`);
}

module.exports = { lintDockerfile, parseImageReference, RULES };

if (require.main === module) main();
