/**
 * The landing page's only script: Apollo Sandbox from Apollo's CDN, else (failed, late, or `?explorer=offline`) the
 * offline explorer from this server.
 */
import { CONFIG_ELEMENT_ID, type ExplorerPageConfig } from '../http/explorer/config';
import './landing.css';

declare global {
  interface Window {
    /** Apollo's embed script's constructor (the options Apollo Server's own landing page passes: startSandbox). */
    EmbeddedSandbox?: new (options: Record<string, unknown>) => unknown;
  }
}

function readConfig(): ExplorerPageConfig {
  const text = document.getElementById(CONFIG_ELEMENT_ID)?.textContent;
  if (!text) throw new Error(`the page has no #${CONFIG_ELEMENT_ID}`);
  const config: unknown = JSON.parse(text);
  if (!isExplorerPageConfig(config)) throw new Error(`#${CONFIG_ELEMENT_ID} is not the explorer's configuration`);
  return config;
}

/** The fields this script reads before handing the configuration on (src/http/explorer/index.ts writes them all). */
function isExplorerPageConfig(value: unknown): value is ExplorerPageConfig {
  if (typeof value !== 'object' || value === null) return false;
  const fields = new Map(Object.entries(value));
  const types = { endpoint: 'string', assetBase: 'string', sandboxScript: 'string', sandboxTimeoutMs: 'number' };
  return Array.isArray(fields.get('tabs')) && Object.entries(types).every(([name, type]) => typeof fields.get(name) === type);
}

/** The offline explorer's module (graphiql.tsx). */
function isOfflineExplorer(value: unknown): value is { mount(config: ExplorerPageConfig, reason: string): void } {
  return typeof value === 'object' && value !== null && 'mount' in value && typeof value.mount === 'function';
}

function setStatus(text: string): void {
  const status = document.querySelector('#explorer-status p');
  if (status) status.textContent = text;
}

/** Resolves true once the embed script has run, false when it failed or took longer than `timeoutMs`. */
function loadSandboxScript(src: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const script = document.createElement('script');
    const settle = (loaded: boolean): void => {
      clearTimeout(timer);
      script.onload = script.onerror = null;
      resolve(loaded && typeof window.EmbeddedSandbox === 'function');
    };
    // A black-holed network neither loads nor fails: stop waiting, and ignore the script if it comes later.
    const timer = setTimeout(() => settle(false), timeoutMs);
    script.onload = () => settle(true);
    script.onerror = () => settle(false);
    script.src = src;
    document.head.appendChild(script);
  });
}

function startSandbox(config: ExplorerPageConfig): void {
  const EmbeddedSandbox = window.EmbeddedSandbox;
  if (!EmbeddedSandbox) return;
  document.getElementById('explorer-status')?.setAttribute('hidden', '');
  // The same options as Apollo Server's own landing page: this endpoint, not editable, the examples preloaded.
  new EmbeddedSandbox({
    target: '#embeddableSandbox',
    initialEndpoint: new URL(config.endpoint, window.location.href).href,
    initialState: { ...config.sandbox, includeCookies: false },
    hideCookieToggle: false,
    endpointIsEditable: false,
    runTelemetry: true,
    allowDynamicStyles: false,
  });
}

async function startOffline(config: ExplorerPageConfig, reason: string): Promise<void> {
  const assets = config.assets;
  if (!assets) {
    setStatus(`${reason} The offline explorer is not built: run npm run build and reload.`);
    return;
  }
  setStatus(`${reason} Opening the built-in explorer…`);
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = config.assetBase + assets.graphiqlCss;
  document.head.appendChild(css);
  const explorer: unknown = await import(config.assetBase + assets.graphiql);
  if (!isOfflineExplorer(explorer)) throw new Error('the offline explorer has no mount()');
  explorer.mount(config, reason);
  document.getElementById('explorer-status')?.setAttribute('hidden', '');
}

async function main(): Promise<void> {
  const config = readConfig();
  if (new URLSearchParams(window.location.search).get('explorer') === 'offline') {
    await startOffline(config, 'Offline explorer requested (?explorer=offline).');
    return;
  }
  if (await loadSandboxScript(config.sandboxScript, config.sandboxTimeoutMs)) {
    startSandbox(config);
    return;
  }
  await startOffline(config, 'Apollo Sandbox could not be loaded from Apollo\u2019s CDN (offline or blocked).');
}

main().catch((error: unknown) => {
  setStatus(`The explorer failed to start: ${error instanceof Error ? error.message : String(error)}`);
  throw error;
});
