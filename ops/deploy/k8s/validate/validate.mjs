#!/usr/bin/env node
// Validates Kubernetes manifests offline, without a cluster: every YAML document in the files named (or on stdin,
// with "-" or no argument) is checked against the schema of its apiVersion and kind.
//
//   node validate.mjs FILE... | -        e.g. kubectl kustomize ../overlays/hosted | node validate.mjs
//
// Kubernetes' own kinds: the kubernetes-models package (the API server's OpenAPI schemas, compiled). CloudNativePG's
// Cluster and ScheduledBackup: cnpg-schemas.mjs. Every document must also have metadata.name. A kind neither knows
// fails: nothing passes unchecked. Prints one line per document ("ok" or "FAIL" with the kind, the name and the
// errors), then "N documents, N failed"; exits 1 when any failed, 2 when a file cannot be read or parsed.
// The Kubernetes schemas do not report fields they do not know (as kubectl's default), the CloudNativePG ones do.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";
import { schemas as cnpgSchemas } from "./cnpg-schemas.mjs";

const ajv = new Ajv({ allErrors: true, strict: true });
const cnpg = new Map(Object.entries(cnpgSchemas).map(([key, schema]) => [key, ajv.compile(schema)]));

/** The kubernetes-models class for an apiVersion and kind, or null. "apps/v1" → kubernetes-models/apps/v1. */
async function kubernetesModel(apiVersion, kind) {
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return null;
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind] ?? null;
  } catch (error) {
    if (error?.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || error?.code === "ERR_MODULE_NOT_FOUND") return null;
    throw error;
  }
}

const formatErrors = (errors) =>
  (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ""}`);

/** The errors of one document (empty when it is valid). */
async function check(doc) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return ["not a Kubernetes object (a mapping)"];
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return ["no apiVersion or kind"];
  const errors = [];
  if (typeof doc.metadata?.name !== "string" || doc.metadata.name === "") errors.push("/metadata no name");

  const custom = cnpg.get(`${apiVersion}/${kind}`);
  if (custom) {
    if (!custom(doc)) errors.push(...formatErrors(custom.errors));
    return errors;
  }
  const Model = await kubernetesModel(apiVersion, kind);
  if (!Model) return [...errors, `unknown kind ${apiVersion} ${kind}: no schema to check it against`];
  try {
    new Model(doc).validate();
  } catch (error) {
    errors.push(...(error.errors?.length ? formatErrors(error.errors) : [String(error.message ?? error)]));
  }
  return errors;
}

const inputs = process.argv.length > 2 ? process.argv.slice(2) : ["-"];
let total = 0;
let failed = 0;
for (const input of inputs) {
  const label = input === "-" ? "<stdin>" : input;
  let documents;
  try {
    const text = readFileSync(input === "-" ? 0 : input, "utf8");
    documents = parseAllDocuments(text);
    const broken = documents.flatMap((d) => d.errors ?? []);
    if (broken.length) throw new Error(broken.map((e) => e.message).join("; "));
  } catch (error) {
    console.error(`${label}: cannot read or parse: ${error.message}`);
    process.exit(2);
  }
  let index = 0;
  for (const document of documents) {
    index++;
    const doc = document.toJS({ maxAliasCount: 100 });
    if (doc === null || doc === undefined) continue; // an empty document, e.g. after a trailing "---"
    total++;
    const name = `${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"}`;
    const errors = await check(doc);
    if (errors.length === 0) {
      console.log(`ok   ${label} #${index}: ${name}`);
    } else {
      failed++;
      console.log(`FAIL ${label} #${index}: ${name}: ${errors.join("; ")}`);
    }
  }
}
if (total === 0) {
  console.log("no documents to validate");
  process.exit(1);
}
console.log(`${total} documents, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
