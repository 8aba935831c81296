// JSON schemas for the CloudNativePG resources in ops/deploy/k8s (postgresql.cnpg.io/v1 Cluster and
// ScheduledBackup). No npm package ships CloudNativePG's CRD as a validator, so this is written from the CRD's
// reference (cloudnative-pg.io/documentation/current/cloudnative-pg.v1/), and it is narrower than the CRD on
// purpose: it knows only the fields these manifests use, and refuses any other (a misspelt field would otherwise
// be dropped by the API server without a word). Using a new field: check it in the reference, then add it here.

const string = { type: "string" };
const nonEmpty = { type: "string", minLength: 1 };
const bool = { type: "boolean" };
// A Kubernetes quantity: 10Gi, 512Mi, 250m, 1.
const quantity = { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$" };
const strict = (properties, required = []) => ({ type: "object", additionalProperties: false, properties, required });
const stringMap = { type: "object", additionalProperties: string };
const secretKey = strict({ name: nonEmpty, key: nonEmpty }, ["name", "key"]);
const localSecret = strict({ name: nonEmpty }, ["name"]);
const resources = strict({
  requests: { type: "object", additionalProperties: quantity },
  limits: { type: "object", additionalProperties: quantity },
});
const storage = strict({ size: quantity, storageClass: nonEmpty }, ["size"]);
const compression = { enum: ["gzip", "bzip2", "snappy", "lz4", "xz", "zstd"] };

const metadata = strict({
  name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
  namespace: nonEmpty,
  labels: stringMap,
  annotations: stringMap,
}, ["name"]);

const resource = (kind, spec) => strict({
  apiVersion: { const: "postgresql.cnpg.io/v1" },
  kind: { const: kind },
  metadata,
  spec,
}, ["apiVersion", "kind", "metadata", "spec"]);

const cluster = resource("Cluster", strict({
  description: string,
  instances: { type: "integer", minimum: 1 },
  imageName: nonEmpty,
  primaryUpdateStrategy: { enum: ["unsupervised", "supervised"] },
  bootstrap: strict({
    initdb: strict({ database: nonEmpty, owner: nonEmpty, secret: localSecret }),
  }),
  postgresql: strict({ parameters: stringMap }),
  storage,
  walStorage: storage,
  resources,
  affinity: strict({
    enablePodAntiAffinity: bool,
    topologyKey: nonEmpty,
    podAntiAffinityType: { enum: ["preferred", "required"] },
  }),
  backup: strict({
    retentionPolicy: { type: "string", pattern: "^[1-9][0-9]*[dwm]$" },
    barmanObjectStore: strict({
      destinationPath: { type: "string", pattern: "^(s3|gs|https?)://" },
      endpointURL: { type: "string", pattern: "^https?://" },
      s3Credentials: strict({
        accessKeyId: secretKey,
        secretAccessKey: secretKey,
        region: secretKey,
        sessionToken: secretKey,
        inheritFromIAMRole: bool,
      }),
      wal: strict({ compression, maxParallel: { type: "integer", minimum: 1 } }),
      data: strict({ compression, jobs: { type: "integer", minimum: 1 } }),
    }, ["destinationPath"]),
  }),
}, ["instances"]));

const scheduledBackup = resource("ScheduledBackup", strict({
  // Six fields, seconds first (a five-field line is refused by the operator).
  schedule: { type: "string", pattern: "^\\S+( \\S+){5}$" },
  cluster: localSecret,
  immediate: bool,
  suspend: bool,
  backupOwnerReference: { enum: ["none", "self", "cluster"] },
  method: { enum: ["barmanObjectStore", "volumeSnapshot", "plugin"] },
  target: { enum: ["primary", "prefer-standby"] },
}, ["schedule", "cluster"]));

/** apiVersion/kind → JSON schema. */
export const schemas = {
  "postgresql.cnpg.io/v1/Cluster": cluster,
  "postgresql.cnpg.io/v1/ScheduledBackup": scheduledBackup,
};
