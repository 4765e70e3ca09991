#!/usr/bin/env node
// Serves a JavaScript durable function handler over HTTP in Lambda's Invoke shape, so the Durable.Fluent local durable
// service (LocalDurableService.RegisterUrl / FunctionUrls) can run it: POST the invocation envelope JSON, get the output
// envelope JSON back, as a Lambda container's runtime interface emulator serves it at
// /2015-03-31/functions/function/invocations. No dependencies beyond Node.js; the handler module brings its own SDK.
//
//   node tools/js-host/host.mjs --handler ./workflows.mjs [--export handler] [--port 9000] [--host 127.0.0.1]
//                               [--endpoint http://127.0.0.1:5050] [--region us-east-1] [--timeout-seconds 900] [--quiet]
//
// See tools/js-host/README.md.
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const MAX_BODY_BYTES = 6 * 1024 * 1024 + 64 * 1024; // the largest envelope Lambda accepts, plus room for the JSON around it
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

function usage(message) {
  if (message) console.error(`js-host: ${message}`);
  console.error(
    "usage: node tools/js-host/host.mjs --handler <module.mjs> [--export <name>] [--port <n>] [--host <addr>]\n" +
      "                                   [--endpoint <url>] [--region <region>] [--timeout-seconds <n>] [--quiet]",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const options = { port: 9000, host: "127.0.0.1", timeoutSeconds: 900, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) usage(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case "--handler": options.handler = value(); break;
      case "--export": options.exportName = value(); break;
      case "--port": options.port = Number(value()); break;
      case "--host": options.host = value(); break;
      case "--endpoint": options.endpoint = value(); break;
      case "--region": options.region = value(); break;
      case "--timeout-seconds": options.timeoutSeconds = Number(value()); break;
      case "--quiet": options.quiet = true; break;
      case "-h": case "--help": usage(); break;
      default: usage(`unknown argument '${arg}'`);
    }
  }
  if (!options.handler) usage("--handler is required");
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) usage("--port must be 0-65535 (0 picks a free port)");
  if (!(options.timeoutSeconds > 0)) usage("--timeout-seconds must be positive");
  if (options.endpoint !== undefined) {
    try {
      new URL(options.endpoint);
    } catch {
      usage(`--endpoint '${options.endpoint}' is not a URL`);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));

// The AWS SDK for JavaScript reads these when the durable SDK creates its Lambda client, so they must be set before the
// handler module loads. The local service checks no signatures, but the SDK refuses to sign without credentials.
if (options.endpoint) process.env.AWS_ENDPOINT_URL_LAMBDA = options.endpoint;
if (options.region) process.env.AWS_REGION = options.region;
process.env.AWS_REGION ??= "us-east-1";
if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
  process.env.AWS_ACCESS_KEY_ID = "local";
  process.env.AWS_SECRET_ACCESS_KEY = "local";
}

const modulePath = resolve(options.handler);
let handlerModule;
try {
  handlerModule = await import(pathToFileURL(modulePath).href);
} catch (error) {
  console.error(`js-host: cannot load handler module ${modulePath}: ${error?.stack ?? error}`);
  process.exit(1);
}

/** The handler for an invocation path: --export, else the export named like the path's function, else `handler`. */
function handlerFor(functionName) {
  const name = options.exportName ?? (functionName && typeof handlerModule[functionName] === "function" ? functionName : "handler");
  const fn = handlerModule[name] ?? (name === "handler" ? handlerModule.default : undefined);
  return typeof fn === "function" ? { name, fn } : { name, fn: undefined };
}

if (options.exportName && typeof handlerModule[options.exportName] !== "function") {
  console.error(`js-host: ${modulePath} has no exported function '${options.exportName}'`);
  process.exit(1);
}

const log = (...args) => {
  if (!options.quiet) console.error(`js-host ${new Date().toISOString()}`, ...args);
};

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function functionError(error) {
  // Lambda's shape for a function error (the handler threw): 200, X-Amz-Function-Error, {errorType, errorMessage, trace}.
  return {
    errorType: error?.name ?? "Error",
    errorMessage: error?.message ?? String(error),
    trace: typeof error?.stack === "string" ? error.stack.split("\n") : [],
  };
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error(`request body exceeds ${MAX_BODY_BYTES} bytes`), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? "/", "http://host").pathname;
  if (req.method === "GET" && path === "/health") return send(res, 200, { status: "ok", handler: modulePath });
  const match = INVOKE_PATH.exec(path);
  if (req.method !== "POST" || (!match && path !== "/")) {
    return send(res, 404, { errorType: "ResourceNotFound", errorMessage: `POST /2015-03-31/functions/{name}/invocations (or /) invokes the handler; got ${req.method} ${path}` });
  }

  const { name, fn } = handlerFor(match ? decodeURIComponent(match[1]) : undefined);
  if (!fn) return send(res, 404, { errorType: "ResourceNotFound", errorMessage: `${modulePath} exports no function '${name}'` });

  let event;
  try {
    event = JSON.parse(await readBody(req));
  } catch (error) {
    return send(res, error.status ?? 400, { errorType: "InvalidRequestContentException", errorMessage: `the invocation body is not JSON: ${error.message}` });
  }

  const requestId = req.headers["lambda-runtime-aws-request-id"] || randomUUID();
  const deadlineHeader = Number(req.headers["lambda-runtime-deadline-ms"]);
  const deadline = Number.isFinite(deadlineHeader) && deadlineHeader > 0 ? deadlineHeader : Date.now() + options.timeoutSeconds * 1000;
  const functionName = match ? decodeURIComponent(match[1]) : name;
  const context = {
    awsRequestId: requestId,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${functionName}`,
    memoryLimitInMB: "128",
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "js-host",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };

  const started = Date.now();
  try {
    const output = await fn(event, context);
    log(`${requestId} ${name} ${event?.DurableExecutionArn ?? ""} -> ${output?.Status ?? typeof output} (${Date.now() - started} ms)`);
    send(res, 200, output ?? null);
  } catch (error) {
    log(`${requestId} ${name} ${event?.DurableExecutionArn ?? ""} -> function error ${error?.name}: ${error?.message} (${Date.now() - started} ms)`);
    send(res, 200, functionError(error), { "x-amz-function-error": "Unhandled" });
  }
});

server.on("error", (error) => {
  console.error(`js-host: cannot listen on ${options.host}:${options.port}: ${error.message}`);
  process.exit(1);
});

server.listen(options.port, options.host, () => {
  const { port } = server.address();
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  // One line on stdout, so a parent process can read the URL (with --port 0, the port it picked).
  console.log(`js-host listening on http://${host}:${port}/2015-03-31/functions/function/invocations`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
