#!/usr/bin/env node
/** `npm run lint:dockerfile [path/to/Dockerfile]`: dockerfile-utils' validator, this image's policy, and .dockerignore.
 * Prints "lint:dockerfile: ok (N checks)", or one line per problem and exits 1. */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { validate, ValidationSeverity } = require('dockerfile-utils');
const { DockerfileParser } = require('dockerfile-ast');
const dockerignore = require('@balena/dockerignore');
const { parse: parseShell } = require('shell-quote');

/** Every validator check on; its errors and warnings both fail. */
const VALIDATOR_SETTINGS = Object.fromEntries(
  ['deprecatedMaintainer', 'directiveCasing', 'emptyContinuationLine', 'instructionCasing', 'instructionCmdMultiple', 'instructionEntrypointMultiple', 'instructionHealthcheckMultiple', 'instructionJSONInSingleQuotes', 'instructionWorkdirRelative'].map((k) => [k, ValidationSeverity.ERROR]),
);
const MIN_NODE_MAJOR = 22;
const PACKAGE_MANAGERS = new Set(['npm', 'npx', 'yarn', 'pnpm', 'corepack']);
const INITS = new Set(['tini', 'tini-static', 'dumb-init', 'catatonit']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash']);
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY/i;

/** The rules, in report order; `lint:dockerfile: ok (N checks)` counts them. */
const RULES = [
  'dockerfile-utils', 'pinned-base-image', 'node-lts-base', 'final-stage-user', 'final-stage-node-env', 'exec-form', 'no-package-manager-cmd',
  'runtime-npm-ci-flags', 'healthcheck', 'expose', 'final-stage-copy-chown', 'no-remote-add', 'no-secret-env', 'dockerignore',
];

/** Lints a Dockerfile's text and its .dockerignore's text (null when there is none). */
function lintDockerfile(content, ignoreText) {
  const problems = [];
  const report = (rule, line, message) => problems.push(`${line === null ? '.dockerignore' : `Dockerfile:${line}`} [${rule}] ${message}`);
  for (const d of validate(content, VALIDATOR_SETTINGS)) {
    if ((d.severity ?? 1) > 2) continue; // 1 error, 2 warning; information and hints pass
    problems.push(`Dockerfile:${d.range.start.line + 1}:${d.range.start.character + 1} [dockerfile-utils] ${d.severity === 2 ? 'warning' : 'error'}: ${d.message}`);
  }
  const instructions = DockerfileParser.parse(content).getInstructions();
  const lineOf = (instruction) => instruction.getRange().start.line + 1;
  const text = (instruction) => `${instruction.getKeyword()} ${instruction.getArgumentsContent() ?? ''}`;
  const froms = instructions.filter((i) => i.getKeyword() === 'FROM');
  const last = froms[froms.length - 1];
  const final = last ? instructions.slice(instructions.indexOf(last)) : [];
  const inFinal = (keyword) => final.filter((i) => i.getKeyword() === keyword);
  const stages = new Set(froms.map((f) => f.getBuildStage()?.toLowerCase()).filter(Boolean));
  for (const from of froms) {
    const name = from.getImageName() ?? '';
    const tag = from.getImageTag();
    if (stages.has(name.toLowerCase()) || name === 'scratch') continue;
    if (!from.getImageDigest()) {
      if (name.includes('$')) report('pinned-base-image', lineOf(from), `${text(from)}: the image comes from a variable; write the pinned image here`);
      else if (!tag) report('pinned-base-image', lineOf(from), `${text(from)}: no tag; pin a version tag such as node:24.21.0-bookworm-slim (or a digest)`);
      else if (!/^v?\d+\.\d+\.\d+(?![.\d])/.test(tag)) report('pinned-base-image', lineOf(from), `${text(from)}: tag "${tag}" floats; pin at least major.minor.patch (e.g. 24.21.0-bookworm-slim) or a digest`);
    }
    const major = Number(/^v?(\d+)/.exec(tag ?? '')?.[1]);
    if (name.split('/').pop() === 'node' && !(major >= MIN_NODE_MAJOR && major % 2 === 0)) {
      report('node-lts-base', lineOf(from), `${text(from)}: the tag must name a supported Node LTS line (an even major >= ${MIN_NODE_MAJOR})`);
    }
  }
  if (!last) {
    checkDockerignore(ignoreText, report);
    return problems; // the validator has reported the missing FROM
  }
  const finalLine = lineOf(last);
  const user = inFinal('USER').pop();
  const userName = user?.getArguments()[0]?.getValue().split(':')[0];
  if (!user) report('final-stage-user', finalLine, 'the final stage has no USER instruction, so the container runs as root; add `USER node`');
  else if (['', 'root', '0'].includes(userName ?? '')) report('final-stage-user', lineOf(user), `${text(user)}: the final stage must not run as root`);
  const nodeEnv = inFinal('ENV').flatMap((env) => env.getProperties().filter((p) => p.getName() === 'NODE_ENV').map((p) => ({ value: p.getValue(), line: lineOf(env) }))).pop();
  if (!nodeEnv) report('final-stage-node-env', finalLine, 'the final stage does not set `ENV NODE_ENV=production`');
  else if (nodeEnv.value !== 'production') report('final-stage-node-env', nodeEnv.line, `NODE_ENV is "${nodeEnv.value ?? ''}" in the final stage; it must be production`);
  for (const instruction of instructions.filter((i) => ['CMD', 'ENTRYPOINT'].includes(i.getKeyword()))) {
    if (instruction.getOpeningBracket() === null) {
      report('exec-form', lineOf(instruction), `${text(instruction)}: use the exec (JSON array) form, e.g. ["node", "dist/index.js"]; the shell form puts /bin/sh between the runtime and Node, so SIGTERM never reaches Node`);
    }
  }
  const start = [inFinal('ENTRYPOINT').pop(), inFinal('CMD').pop()].filter(Boolean);
  const program = mainProgram(start.flatMap(words));
  if (program && PACKAGE_MANAGERS.has(program)) {
    report('no-package-manager-cmd', lineOf(start[start.length - 1]), `${text(start[start.length - 1])} starts ${program}: run node directly (CMD ["node", "dist/index.js"]); a package manager does not forward SIGTERM to Node`);
  }
  for (const run of inFinal('RUN')) {
    for (const command of simpleCommands(words(run))) {
      const sub = command.slice(1).find((w) => !w.startsWith('-'));
      if (path.posix.basename(command[0]) !== 'npm' || !['ci', 'clean-install', 'install', 'i', 'add'].includes(sub)) continue;
      const missing = [];
      if (sub !== 'ci' && sub !== 'clean-install') missing.push(`\`npm ci\` (the lockfile, exactly) instead of \`npm ${sub}\``);
      if (!command.includes('--omit=dev') && !command.some((w, i) => w === '--omit' && command[i + 1] === 'dev')) missing.push('--omit=dev');
      if (!command.includes('--ignore-scripts')) missing.push('--ignore-scripts');
      if (missing.length > 0) report('runtime-npm-ci-flags', lineOf(run), `\`${command.join(' ')}\` in the final stage: needs ${missing.join(', ')}`);
    }
  }
  const healthcheck = inFinal('HEALTHCHECK').pop();
  if (!healthcheck) report('healthcheck', finalLine, 'the final stage has no HEALTHCHECK; probe /healthz with node (the slim image has no curl)');
  else if (healthcheck.getArguments()[0]?.getValue().toUpperCase() === 'NONE') report('healthcheck', lineOf(healthcheck), 'HEALTHCHECK NONE turns the health check off; probe /healthz instead');
  if (inFinal('EXPOSE').length === 0) report('expose', finalLine, 'the final stage has no EXPOSE for the port the server listens on (4000)');
  for (const copy of [...inFinal('COPY'), ...inFinal('ADD')]) {
    if (!copy.getFlags().some((f) => f.getName() === 'chown')) report('final-stage-copy-chown', lineOf(copy), `${text(copy)}: add --chown=node:node (files copied without it are owned by root)`);
  }
  for (const add of instructions.filter((i) => i.getKeyword() === 'ADD')) {
    for (const source of add.getArguments().slice(0, -1).map((a) => a.getValue()).filter((s) => /^([a-z][a-z0-9+.-]*:\/\/|git@)/i.test(s))) {
      report('no-remote-add', lineOf(add), `ADD ${source}: no ADD from a URL; COPY local files, or download and verify a checksum in a RUN`);
    }
  }
  for (const instruction of instructions.filter((i) => ['ENV', 'ARG'].includes(i.getKeyword()))) {
    for (const property of instruction.getProperties()) {
      const name = property.getName();
      if (SECRET_NAME.test(name) && !/_(FILE|PATH|DIR)$/i.test(name) && property.getValue()) {
        report('no-secret-env', lineOf(instruction), `${instruction.getKeyword()} ${name} has a value baked into the image; pass secrets at run time (orchestrator secrets, mounted files) or with RUN --mount=type=secret`);
      }
    }
  }
  checkDockerignore(ignoreText, report);
  return problems;
}

function checkDockerignore(ignoreText, report) {
  if (ignoreText === null || ignoreText === undefined) {
    report('dockerignore', null, 'is missing; without it node_modules, .git and local .env files are sent to the builder');
    return;
  }
  const ignored = dockerignore().add(ignoreText);
  for (const name of ['node_modules', '.git', '.env']) {
    if (!ignored.ignores(name)) report('dockerignore', null, `does not exclude ${name}; list it so it stays out of the build context`);
  }
}

/** An instruction's words: its JSON array, or its shell text parsed by shell-quote (operators as { op }). */
function words(instruction) {
  const content = instruction.getArgumentsContent() ?? '';
  // JSON.parse rather than dockerfile-ast's getJSONStrings(), whose values lose the blanks inside a string.
  if (instruction.getOpeningBracket() !== null) {
    try {
      return JSON.parse(content);
    } catch {
      // not JSON after all: the validator reports it; read it as a shell command
    }
  }
  return parseShell(content).filter((w) => w !== '');
}

/** The simple commands of a word list: split at shell operators, leading VAR=value assignments dropped. */
function simpleCommands(list) {
  const commands = [[]];
  for (const word of list) {
    if (typeof word !== 'string') commands.push([]);
    else if (commands[commands.length - 1].length > 0 || !/^\w+=/.test(word)) commands[commands.length - 1].push(word);
  }
  return commands.filter((c) => c.length > 0);
}

/** The program an ENTRYPOINT + CMD runs, past an init (tini --), exec/env and `sh -c "..."`. */
function mainProgram(argv) {
  let rest = simpleCommands(argv)[0] ?? [];
  while (rest.length > 0) {
    const first = path.posix.basename(rest[0]);
    if (INITS.has(first)) rest = rest.slice(rest.includes('--') ? rest.indexOf('--') + 1 : 1);
    else if (first === 'exec' || first === 'env') rest = simpleCommands(rest.slice(1))[0] ?? [];
    else if (SHELLS.has(first) && rest.includes('-c')) rest = simpleCommands(parseShell(rest[rest.indexOf('-c') + 1] ?? ''))[0] ?? [];
    else return first;
  }
  return null;
}

function main() {
  const file = path.resolve(process.argv[2] ?? 'Dockerfile');
  const ignorePath = path.join(path.dirname(file), '.dockerignore');
  const problems = lintDockerfile(fs.readFileSync(file, 'utf8'), fs.existsSync(ignorePath) ? fs.readFileSync(ignorePath, 'utf8') : null);
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  if (problems.length > 0) {
    process.stderr.write(`lint:dockerfile: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    process.exit(1);
  }
  process.stdout.write(`lint:dockerfile: ok (${RULES.length} checks)\n`);
}

module.exports = { lintDockerfile, RULES };

if (require.main === module) main();
