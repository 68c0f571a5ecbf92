/**
 * Every relative link of the project's Markdown (README.md, docs/, the other READMEs) points at a file that exists
 * and, with a `#anchor`, at a heading of that file under GitHub's slug rules (github-slugger).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import MarkdownIt from 'markdown-it';
import GithubSlugger from 'github-slugger';

type Token = MarkdownIt.Token;

const ROOT = join(__dirname, '..', '..');
const markdown = new MarkdownIt({ html: true });

/** Reads a repository file: its text, '' for a directory or a binary, undefined when it does not exist. */
type Reader = (path: string) => string | undefined;

/** The anchors GitHub gives a Markdown file's headings (a repeated heading gets `-1`, `-2`, …). */
function anchors(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const tokens = markdown.parse(text, {});
  const found = new Set<string>();
  tokens.forEach((token, i) => {
    if (token.type !== 'heading_open') return;
    const inline = tokens[i + 1];
    found.add(slugger.slug(plainText(inline.children ?? [])));
  });
  return found;
}

/** A heading's text as GitHub renders it (code spans without their backticks, no emphasis marks). */
function plainText(children: Token[]): string {
  return children.map((child) => (child.type === 'text' || child.type === 'code_inline' ? child.content : '')).join('');
}

/** Every link and image target in a Markdown text, outside code blocks and code spans. */
function targets(text: string): string[] {
  const found: string[] = [];
  const walk = (tokens: Token[]): void => {
    for (const token of tokens) {
      if (token.type === 'link_open') found.push(String(token.attrGet('href') ?? ''));
      if (token.type === 'image') found.push(String(token.attrGet('src') ?? ''));
      if (token.children) walk(token.children);
    }
  };
  walk(markdown.parse(text, {}));
  return found;
}

/** The dead relative links of one Markdown file (path relative to the repository root), as readable lines. */
function deadLinks(file: string, text: string, read: Reader): string[] {
  const dead: string[] = [];
  for (const target of targets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …: not a file of this repository
    const [pathPart, anchor] = splitOnce(decodeURI(target), '#');
    const path = pathPart === '' ? file : normalize(join(dirname(file), pathPart));
    const content = read(path);
    if (content === undefined) {
      dead.push(`${file}: ${target}: ${path} does not exist`);
    } else if (anchor !== undefined && path.endsWith('.md') && !anchors(content).has(anchor)) {
      dead.push(`${file}: ${target}: no heading of ${path} has the anchor #${anchor}`);
    }
  }
  return dead;
}

function splitOnce(value: string, separator: string): [string, string | undefined] {
  const at = value.indexOf(separator);
  return at < 0 ? [value, undefined] : [value.slice(0, at), value.slice(at + 1)];
}

const readRepositoryFile: Reader = (path) => {
  const full = join(ROOT, path);
  if (!existsSync(full)) return undefined;
  return full.endsWith('.md') ? readFileSync(full, 'utf8') : '';
};

function documentationFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name));
  const readmes = ['README.md', 'deploy/kubernetes/README.md', 'packages/graph-emulator/README.md', 'examples/web/README.md'];
  return [...readmes.filter((path) => existsSync(join(ROOT, path))), ...docs];
}

describe('links in the documentation', () => {
  it('finds dead files and anchors, and only those (a fixture)', () => {
    const files: Record<string, string> = {
      'docs/guide.md': '# Guide\n\n## Release notes (changes for clients)\n\n### `router.yaml` headers\n\n## Usage\n\n## Usage\n',
      'docs/picture.png': '',
    };
    const readme = [
      '# Title',
      '[ok](docs/guide.md) [ok](docs/guide.md#release-notes-changes-for-clients) [ok](docs/guide.md#routeryaml-headers)',
      '[ok](docs/guide.md#usage-1) [ok](#title) ![ok](docs/picture.png) [web](https://example.com/missing.md)',
      '[dead file](docs/router.md) [dead anchor](docs/guide.md#release-notes) [dead here](#nowhere)',
      '```md',
      '[in a code block](docs/ignored.md)',
      '```',
      '`[in a code span](docs/ignored.md)`',
    ].join('\n');
    const read: Reader = (path) => (path === 'README.md' ? readme : files[path]);

    expect(deadLinks('README.md', readme, read)).toEqual([
      'README.md: docs/router.md: docs/router.md does not exist',
      'README.md: docs/guide.md#release-notes: no heading of docs/guide.md has the anchor #release-notes',
      'README.md: #nowhere: no heading of README.md has the anchor #nowhere',
    ]);
    expect(deadLinks('docs/guide.md', '[up](../README.md#title) [gone](../nothing.md)', read)).toEqual([
      'docs/guide.md: ../nothing.md: nothing.md does not exist',
    ]);
  });

  it.each(documentationFiles())('%s has no dead relative link or anchor', (file) => {
    const text = readRepositoryFile(file) ?? '';
    expect(deadLinks(file, text, readRepositoryFile)).toEqual([]);
  });

  it('links every docs/ page from the README', () => {
    const linked = new Set(targets(readRepositoryFile('README.md') ?? '').map((target) => splitOnce(target, '#')[0]));
    const pages = documentationFiles().filter((file) => file.startsWith('docs/'));
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('covers the README and the docs pages it is meant to', () => {
    const files = documentationFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'deploy/kubernetes/README.md', 'packages/graph-emulator/README.md']));
    expect(files.filter((file) => file.startsWith('docs/')).length).toBeGreaterThanOrEqual(5);
  });
});
