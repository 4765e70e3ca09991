// Runs @aws-sdk/client-lambda commands for the NUnit interop tests (Durable.Fluent.Tests/Interop), against the local
// durable service at INTEROP_ENDPOINT, with dummy credentials and no client-side retries.
//
// Protocol: one JSON request per stdin line, {"id":1,"command":"GetDurableExecution","input":{...}}; one JSON answer per
// stdout line, {"id":1,"ok":true,"output":{...}} or {"id":1,"ok":false,"error":{...}}. In inputs, {"$utf8":"text"} becomes
// a Uint8Array (blob members) and {"$date":"ISO-8601"} a Date. In outputs, a Date becomes {"$date":"ISO-8601"} and a
// Uint8Array {"$utf8":"text"}, so the tests can tell that the SDK parsed a timestamp as a Date and a blob as bytes.
import { createInterface } from "node:readline";
import * as lambda from "@aws-sdk/client-lambda";

const endpoint = process.env.INTEROP_ENDPOINT;
if (!endpoint) {
  console.error("sdk-bridge: INTEROP_ENDPOINT is not set");
  process.exit(2);
}

const client = new lambda.LambdaClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
  maxAttempts: 1,
});

function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object") {
    if (typeof value.$utf8 === "string") return new TextEncoder().encode(value.$utf8);
    if (typeof value.$date === "string") return new Date(value.$date);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

function encode(value) {
  if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString() };
  if (value instanceof Uint8Array) return { $utf8: new TextDecoder().decode(value) };
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, encode(v)]));
  }
  return value;
}

function describeError(error) {
  const modeled = lambda[error?.name];
  const fields = {};
  for (const [k, v] of Object.entries(error ?? {})) {
    if (k !== "$metadata" && k !== "$response") fields[k] = encode(v);
  }
  return {
    name: error?.name,
    message: error?.message,
    fault: error?.$fault,
    httpStatusCode: error?.$metadata?.httpStatusCode,
    requestId: error?.$metadata?.requestId,
    isServiceException: error instanceof lambda.LambdaServiceException,
    isModeledClass: typeof modeled === "function" && error instanceof modeled,
    fields,
  };
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    process.stdout.write(JSON.stringify({ id: null, ok: false, error: { name: "BridgeError", message: `bad request line: ${error.message}` } }) + "\n");
    continue;
  }

  const Command = lambda[`${request.command}Command`];
  let answer;
  if (typeof Command !== "function") {
    answer = { id: request.id, ok: false, error: { name: "BridgeError", message: `@aws-sdk/client-lambda has no ${request.command}Command` } };
  } else {
    try {
      const output = await client.send(new Command(decode(request.input ?? {})));
      const { $metadata, ...rest } = output;
      answer = { id: request.id, ok: true, output: encode(rest), httpStatusCode: $metadata?.httpStatusCode, requestId: $metadata?.requestId };
    } catch (error) {
      answer = { id: request.id, ok: false, error: describeError(error) };
    }
  }

  process.stdout.write(JSON.stringify(answer) + "\n");
}
