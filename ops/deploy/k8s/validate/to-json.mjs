#!/usr/bin/env node
// Prints the YAML documents of a file (or stdin, "-") as one JSON array, empty documents left out; for tools and
// tests that read manifests without a YAML parser of their own.
//
//   node to-json.mjs FILE|-        e.g. kubectl kustomize ../overlays/hosted | node to-json.mjs - | jq '.[].kind'
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const input = process.argv[2] ?? "-";
const documents = parseAllDocuments(readFileSync(input === "-" ? 0 : input, "utf8"));
const errors = documents.flatMap((d) => d.errors ?? []);
if (errors.length) {
  console.error(`${input}: ${errors.map((e) => e.message).join("; ")}`);
  process.exit(2);
}
const objects = documents.map((d) => d.toJS({ maxAliasCount: 100 })).filter((o) => o !== null && o !== undefined);
process.stdout.write(JSON.stringify(objects) + "\n");
