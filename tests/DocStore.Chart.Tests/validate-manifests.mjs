// Validates Kubernetes manifests offline against the OpenAPI schemas that kubernetes-models ships
// (Kubernetes 1.35) and @kubernetes-models/prometheus-operator (ServiceMonitor), with unknown fields
// rejected as the API server's strict field validation does.
//
// kubernetes-models' validators are compiled JSON schemas without additionalProperties: false, so on
// their own they accept `containers[0].bogus`. Strictness is added over the same validators: each
// object is passed in behind a Proxy that records which property names the validator looks up. A
// schema that declares properties looks each of them up (present or not); an own key of the object
// that was never looked up is a field the schema does not declare. An object the validator looks up
// nothing in is free-form in its schema (x-kubernetes-preserve-unknown-fields, or no properties) and
// is accepted as the API server accepts it; every such object is listed in the report.
//
// Usage: node validate-manifests.mjs [--lenient] FILE...   (FILE holds one or more YAML documents, or -)
// Prints one JSON object: {objects: [{apiVersion, kind, name, errors, freeForm}], valid}; exits 1 when
// any object is invalid, 2 on bad usage. --lenient runs kubernetes-models' own validation only.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const args = process.argv.slice(2);
const lenient = args.includes("--lenient");
const files = args.filter((a) => a !== "--lenient");
if (files.length === 0) {
  console.error("usage: node validate-manifests.mjs [--lenient] FILE...");
  process.exit(2);
}

/** The module exporting the models of an apiVersion. */
function modelModule(apiVersion) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
  }
  // Core objects are under kubernetes-models/v1; a group's under kubernetes-models/<group>/<version>.
  return `kubernetes-models/${apiVersion}`;
}

async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[a-z0-9.\-/]+$/.test(apiVersion)) {
    return undefined;
  }
  try {
    const module = await import(modelModule(apiVersion));
    return module[kind];
  } catch {
    return undefined;
  }
}

/** Wraps value so that every property name looked up on it, or on anything under it, is recorded. */
function track(value, path, reads) {
  const proxies = new WeakMap();
  const wrap = (target, at) => {
    if (target === null || typeof target !== "object") {
      return target;
    }
    if (proxies.has(target)) {
      return proxies.get(target);
    }
    const seen = new Set();
    reads.set(target, { path: at, seen });
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === "string") {
          seen.add(key);
        }
        const child = Reflect.get(t, key, receiver);
        return typeof key === "string" && Object.hasOwn(t, key) ? wrap(child, `${at}/${key}`) : child;
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  return wrap(value, path);
}

/** Own keys the validator never looked up, in objects where it looked up at least one name. */
function unknownFields(value, reads, freeForm) {
  const found = [];
  const walk = (node, at) => {
    if (node === null || typeof node !== "object") {
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${at}/${i}`));
      return;
    }
    const record = reads.get(node);
    if (record === undefined) {
      return; // never reached: inside a free-form object, already listed
    }
    const keys = Object.keys(node);
    if (record.seen.size === 0 && keys.length > 0) {
      freeForm.push(at || "/");
      return;
    }
    for (const key of keys) {
      if (!record.seen.has(key)) {
        found.push(`${at}/${key}: unknown field "${key}" (not in the schema)`);
      } else {
        walk(node[key], `${at}/${key}`);
      }
    }
  };
  walk(value, "");
  return found;
}

async function validate(object) {
  const apiVersion = object?.apiVersion;
  const kind = object?.kind;
  const result = { apiVersion, kind, name: object?.metadata?.name ?? null, errors: [], freeForm: [] };
  const Model = await modelFor(apiVersion, kind);
  if (typeof Model !== "function" || typeof Model.prototype.validate !== "function") {
    result.errors.push(`no schema for ${apiVersion} ${kind}`);
    return result;
  }
  if (lenient) {
    try {
      new Model(object).validate();
    } catch (e) {
      result.errors.push(e.message);
    }
    return result;
  }
  const reads = new Map();
  try {
    Model.prototype.validate.call(track(object, "", reads));
  } catch (e) {
    result.errors.push(e.message);
    return result; // the validator stopped at the first error: the names it looked up are incomplete
  }
  result.errors.push(...unknownFields(object, reads, result.freeForm));
  return result;
}

const objects = [];
for (const file of files) {
  const text = readFileSync(file === "-" ? 0 : file, "utf8");
  // YAML 1.1, as Kubernetes and Helm read manifests (sigs.k8s.io/yaml).
  for (const document of parseAllDocuments(text, { version: "1.1" })) {
    if (document.errors.length > 0) {
      objects.push({ apiVersion: null, kind: null, name: null, errors: document.errors.map((e) => `YAML: ${e.message}`), freeForm: [] });
      continue;
    }
    const object = document.toJS({ maxAliasCount: 0 });
    if (object === null || object === undefined) {
      continue; // an empty document, as helm emits for a template that renders nothing
    }
    objects.push(await validate(object));
  }
}

const valid = objects.every((o) => o.errors.length === 0);
console.log(JSON.stringify({ objects, valid }, null, 2));
process.exit(valid ? 0 : 1);
