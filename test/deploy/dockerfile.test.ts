/**
 * scripts/lint-dockerfile.js (`npm run lint:dockerfile`): passes the real Dockerfile and .dockerignore, and
 * catches each way the image policy can be broken, on copies of the real Dockerfile with one thing changed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULES, lintDockerfile } from '../../scripts/lint-dockerfile';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'lint-dockerfile.js');
const DOCKERFILE = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8');

/** The real Dockerfile with `from` replaced by `to`; throws if `from` is not in it, so no test passes vacuously. */
/** The image's start command, whatever node options it passes (`CMD ["node", …, "dist/index.js"]`). */
const FINAL_CMD = /^CMD \["node"(, "--[^"]+")*, "dist\/index\.js"\]$/m;

function edited(from: string | RegExp, to: string): string {
  const changed = DOCKERFILE.replace(from, to);
  if (changed === DOCKERFILE) throw new Error(`the Dockerfile no longer contains ${String(from)}`);
  return changed;
}

/** The problems reported for one rule. */
function problemsOf(rule: string, problems: string[]): string[] {
  return problems.filter((p) => p.includes(`[${rule}]`));
}

describe('lint-dockerfile', () => {
  it('passes the real Dockerfile and .dockerignore', () => {
    expect(lintDockerfile(DOCKERFILE, DOCKERIGNORE)).toEqual([]);
  });

  it('catches FROM node:latest, naming the rule and the line', () => {
    const content = edited('FROM node:24.21.0-bookworm-slim AS build', 'FROM node:latest AS build');
    const line = content.split('\n').indexOf('FROM node:latest AS build') + 1;
    const problems = problemsOf('pinned-base-image', lintDockerfile(content, DOCKERIGNORE));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`Dockerfile:${line} `);
    expect(problems[0]).toContain('latest');
  });

  it('catches an untagged image and a bare major tag', () => {
    expect(problemsOf('pinned-base-image', lintDockerfile(edited('FROM node:24.21.0-bookworm-slim AS build', 'FROM node AS build'), DOCKERIGNORE))).toHaveLength(1);
    expect(problemsOf('pinned-base-image', lintDockerfile(edited('FROM node:24.21.0-bookworm-slim AS runtime', 'FROM node:24 AS runtime'), DOCKERIGNORE))).toHaveLength(1);
    expect(problemsOf('pinned-base-image', lintDockerfile(edited('FROM node:24.21.0-bookworm-slim AS runtime', 'FROM node:24-bookworm-slim AS runtime'), DOCKERIGNORE))).toHaveLength(1);
  });

  it('accepts a digest pin', () => {
    const content = edited('FROM node:24.21.0-bookworm-slim AS runtime', `FROM node:24-bookworm-slim@sha256:${'0'.repeat(64)} AS runtime`);
    expect(lintDockerfile(content, DOCKERIGNORE)).toEqual([]);
  });

  it('catches a Node line that is not an LTS >= 22', () => {
    for (const tag of ['20.19.5-bookworm-slim', '23.11.1-bookworm-slim']) {
      const content = edited('FROM node:24.21.0-bookworm-slim AS runtime', `FROM node:${tag} AS runtime`);
      expect(problemsOf('node-lts-base', lintDockerfile(content, DOCKERIGNORE))).toHaveLength(1);
    }
  });

  it('catches a final stage without USER, or with USER root', () => {
    expect(problemsOf('final-stage-user', lintDockerfile(edited(/^USER node\n/m, ''), DOCKERIGNORE))).toHaveLength(1);
    expect(problemsOf('final-stage-user', lintDockerfile(edited(/^USER node\n/m, 'USER root\n'), DOCKERIGNORE))).toHaveLength(1);
  });

  it('catches CMD npm start (shell form and a package manager)', () => {
    const problems = lintDockerfile(edited(FINAL_CMD, 'CMD npm start'), DOCKERIGNORE);
    expect(problemsOf('exec-form', problems)).toHaveLength(1);
    expect(problemsOf('no-package-manager-cmd', problems)).toHaveLength(1);
  });

  it('catches a package manager in exec form, also behind sh -c', () => {
    expect(problemsOf('no-package-manager-cmd', lintDockerfile(edited(FINAL_CMD, 'CMD ["npm", "start"]'), DOCKERIGNORE))).toHaveLength(1);
    expect(problemsOf('no-package-manager-cmd', lintDockerfile(edited(FINAL_CMD, 'CMD ["sh", "-c", "yarn start"]'), DOCKERIGNORE))).toHaveLength(1);
  });

  it('catches a runtime npm ci without --omit=dev or without --ignore-scripts', () => {
    const withoutOmit = problemsOf('runtime-npm-ci-flags', lintDockerfile(edited('npm ci --omit=dev --ignore-scripts', 'npm ci --ignore-scripts'), DOCKERIGNORE));
    expect(withoutOmit).toHaveLength(1);
    expect(withoutOmit[0]).toContain('--omit=dev');
    const withoutIgnore = problemsOf('runtime-npm-ci-flags', lintDockerfile(edited('npm ci --omit=dev --ignore-scripts', 'npm ci --omit=dev'), DOCKERIGNORE));
    expect(withoutIgnore).toHaveLength(1);
    expect(withoutIgnore[0]).toContain('--ignore-scripts');
  });

  it('reads RUN and CMD as a shell does (shell-quote): quotes, continuations, assignments, exec, operators', () => {
    const npmCi = 'npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspaces=false';
    const accepted = edited(npmCi, 'NPM_CONFIG_LOGLEVEL=warn npm ci "--omit" dev \\\n    \'--ignore-scripts\'');
    expect(problemsOf('runtime-npm-ci-flags', lintDockerfile(accepted, DOCKERIGNORE))).toEqual([]);
    const second = problemsOf('runtime-npm-ci-flags', lintDockerfile(edited(npmCi, `${npmCi} || npm install --omit=dev`), DOCKERIGNORE));
    expect(second).toEqual([expect.stringContaining('`npm install --omit=dev` in the final stage: needs `npm ci`')]);
    expect(problemsOf('no-package-manager-cmd', lintDockerfile(edited(FINAL_CMD, 'CMD ["sh", "-c", "FOO=1 exec npx serve"]'), DOCKERIGNORE))).toEqual([expect.stringContaining('starts npx')]);
    expect(problemsOf('no-package-manager-cmd', lintDockerfile(edited(FINAL_CMD, 'CMD ["sh", "-c", "exec node \'npm start.js\'"]'), DOCKERIGNORE))).toEqual([]);
  });

  it('catches a final stage without NODE_ENV=production, HEALTHCHECK or EXPOSE', () => {
    expect(problemsOf('final-stage-node-env', lintDockerfile(edited(/^ENV NODE_ENV=production\n/m, ''), DOCKERIGNORE))).toHaveLength(1);
    expect(problemsOf('healthcheck', lintDockerfile(edited(/^HEALTHCHECK [^\n]*\\\n[^\n]*\n/m, ''), DOCKERIGNORE))).toHaveLength(1);
    expect(problemsOf('expose', lintDockerfile(edited(/^EXPOSE 4000\n/m, ''), DOCKERIGNORE))).toHaveLength(1);
  });

  it('catches a final-stage COPY without --chown, ADD from a URL and a secret in ENV', () => {
    expect(problemsOf('final-stage-copy-chown', lintDockerfile(edited('COPY --chown=node:node schema ./schema', 'COPY schema ./schema'), DOCKERIGNORE))).toHaveLength(1);
    const add = edited(/^USER node$/m, 'ADD --chown=node:node https://example.com/tool.tgz /opt/\nUSER node');
    expect(problemsOf('no-remote-add', lintDockerfile(add, DOCKERIGNORE))).toHaveLength(1);
    const secret = edited(/^ENV NODE_ENV=production$/m, 'ENV NODE_ENV=production AZURE_CLIENT_SECRET=abc\nENV AZURE_FEDERATED_TOKEN_FILE=/var/run/token');
    expect(problemsOf('no-secret-env', lintDockerfile(secret, DOCKERIGNORE))).toEqual([expect.stringContaining('AZURE_CLIENT_SECRET')]);
  });

  it('reports what the Docker builder would reject, with line and column', () => {
    const problems = lintDockerfile(edited('HEALTHCHECK --interval=30s', 'HEALTHCHECK --intervall=30s'), DOCKERIGNORE);
    expect(problemsOf('dockerfile-utils', problems)).toEqual([expect.stringMatching(/^Dockerfile:\d+:13 \[dockerfile-utils\] error: Unknown flag: intervall$/)]);
  });

  it('requires a .dockerignore that excludes node_modules, .git and .env (which npm start reads)', () => {
    expect(problemsOf('dockerignore', lintDockerfile(DOCKERFILE, null))).toHaveLength(1);
    expect(problemsOf('dockerignore', lintDockerfile(DOCKERFILE, 'node_modules\n**/.env\n'))).toEqual([expect.stringContaining('does not exclude .git;')]);
    expect(problemsOf('dockerignore', lintDockerfile(DOCKERFILE, '.git\nnode_modules\n!node_modules\n.env\n'))).toEqual([expect.stringContaining('does not exclude node_modules;')]);
    expect(problemsOf('dockerignore', lintDockerfile(DOCKERFILE, '.git\nnode_modules\n'))).toEqual([expect.stringContaining('does not exclude .env;')]);
  });

  it('runs as a command: exit 0 with a count, exit 1 with the problems', () => {
    const ok = spawnSync(process.execPath, [SCRIPT, path.join(ROOT, 'Dockerfile')], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(`lint:dockerfile: ok (${RULES.length} checks)\n`);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-dockerfile-'));
    try {
      fs.writeFileSync(path.join(dir, 'Dockerfile'), edited(FINAL_CMD, 'CMD npm start'));
      const bad = spawnSync(process.execPath, [SCRIPT, path.join(dir, 'Dockerfile')], { encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('[no-package-manager-cmd]');
      expect(bad.stderr).toContain('.dockerignore [dockerignore] is missing');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
