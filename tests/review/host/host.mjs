// A test host for the review pane, built on the official MCP Apps host bridge (AppBridge from
// @modelcontextprotocol/ext-apps). esbuild bundles it for the browser when the tests run.
//
// The pane runs in a sandboxed iframe (scripts only, an opaque origin) whose document starts
// with a Content-Security-Policy that forbids every network load: a pane that needs anything
// beyond its own HTML breaks here. The pane's `tools/call` requests go to
// `window.pimeloCallTool`, a function the Playwright test exposes, which forwards them to the
// MCP server through a real MCP client.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

const NO_NETWORK =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

// What the test reads back: every request and notification the host saw from the pane.
const seen = {
  initialized: false,
  sizes: [],
  calls: [],
  modelContext: [],
  appInfo: null,
  appCapabilities: null,
};
let bridge = null;
let hostContext = {};

function withPolicy(html) {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${NO_NETWORK}">`;
  // First in <head>, so it governs everything the document loads.
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => head + meta) : meta + html;
}

async function forward(params) {
  seen.calls.push(params);
  return window.pimeloCallTool(params);
}

async function open({ html, toolInput, toolResult, context }) {
  hostContext = {
    displayMode: "inline",
    availableDisplayModes: ["inline"],
    platform: "web",
    locale: "en-GB",
    timeZone: "UTC",
    ...context,
  };
  bridge = new AppBridge(
    null,
    { name: "pimelo-review-test-host", version: "1.0.0" },
    { serverTools: {}, logging: {}, updateModelContext: { text: {}, structuredContent: {} } },
    { hostContext },
  );
  bridge.oncalltool = (params) => forward(params);
  bridge.onupdatemodelcontext = async (params) => {
    seen.modelContext.push(params);
    return {};
  };
  const ready = new Promise((resolve) => {
    bridge.oninitialized = () => {
      seen.initialized = true;
      seen.appInfo = bridge.getAppVersion() ?? null;
      seen.appCapabilities = bridge.getAppCapabilities() ?? null;
      resolve();
    };
  });
  const frame = document.createElement("iframe");
  frame.id = "pane";
  frame.title = "Review pane";
  frame.setAttribute("sandbox", "allow-scripts");
  document.getElementById("slot").replaceChildren(frame);
  bridge.onsizechange = ({ width, height }) => {
    seen.sizes.push({ width, height });
    if (typeof height === "number") frame.style.height = `${height}px`;
  };
  // The bridge listens before the pane's first message can arrive.
  await bridge.connect(new PostMessageTransport(frame.contentWindow, frame.contentWindow));
  frame.srcdoc = withPolicy(html);
  await ready;
  await bridge.sendToolInput({ arguments: toolInput });
  if (toolResult !== undefined && toolResult !== null) await bridge.sendToolResult(toolResult);
}

window.reviewHost = {
  open,
  seen: () => JSON.parse(JSON.stringify(seen)),
  setTheme: (theme, variables) => {
    hostContext = { ...hostContext, theme, styles: variables ? { variables } : undefined };
    bridge.setHostContext(hostContext);
  },
  // Sends the pane's last tools/call again, as a host replaying it would (optionally altered).
  replayLastCall: (change) => {
    const last = seen.calls[seen.calls.length - 1];
    const params = { ...last, arguments: { ...last.arguments, ...(change || {}) } };
    return forward(params);
  },
  cancel: (reason) => bridge.sendToolCancelled({ reason }),
  teardown: async () => {
    await bridge.teardownResource({});
    return true;
  },
};
