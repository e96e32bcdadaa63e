/** Datasources: a registry of classes, one instance set per service instance, with init/connect/disconnect hooks. */
import type { Service, ServiceBroker, ServiceSchema } from 'moleculer';
import type { MoleculerLogger } from '../types/moleculer';
import { ConfigError, DatasourceError } from '../errors';

/** What a datasource's constructor receives: its name and a handle on the service and broker. */
export interface DatasourceHost {
  /** The datasource's key in the registry (`user` for `datasources: { user: UserDatasource }`). */
  readonly name: string;
  /** The service instance that owns it (settings, methods, `memoize`). */
  readonly service: Service;
  /** The broker (`broker.cacher`, `broker.call`, `broker.options`). */
  readonly broker: ServiceBroker;
  /** A logger named after the service and the datasource. */
  readonly logger: MoleculerLogger;
}

/** Optional lifecycle hooks a datasource may define. Each may be async. */
export interface DatasourceHooks {
  /** Runs when the service is created (sync or async; an async `init` is awaited before `connect`). */
  init?(): void | Promise<void>;
  /** Runs when the service starts; a throw fails the start with a `DatasourceError` naming the datasource. */
  connect?(): void | Promise<void>;
  /** Runs when the service stops, in reverse registry order. Errors are logged, not thrown. */
  disconnect?(): void | Promise<void>;
}

/** A datasource class. Its constructor gets a `DatasourceHost` (it may ignore it). */
export type DatasourceClass<T extends object = object> = new (host: DatasourceHost) => T;

/** `datasources:` as written in a service config: name → class. */
export type DatasourceRegistry = Record<string, DatasourceClass>;

/** The instances a registry produces: `{ user: UserDatasource }` → `{ user: InstanceType<UserDatasource> }`. */
export type DatasourceInstances<R> = {
  readonly [K in keyof R]: R[K] extends abstract new (...args: never[]) => infer I ? I : never;
};

/**
 * Optional base class: keeps the host as `this.name`, `this.service`, `this.broker` and `this.logger`.
 * Any class works as a datasource; extending this one only saves the boilerplate.
 */
export class Datasource {
  declare readonly name: string;
  declare readonly service: Service;
  declare readonly broker: ServiceBroker;
  declare readonly logger: MoleculerLogger;

  constructor(host: DatasourceHost) {
    // Not enumerable: logging or serializing a datasource must not walk the whole broker.
    for (const key of ['name', 'service', 'broker', 'logger'] as const) {
      Object.defineProperty(this, key, { value: host[key], enumerable: false, writable: false, configurable: true });
    }
  }
}

/** Throws a `ConfigError` naming the culprit unless `registry` is an object of constructors. */
export function validateDatasourceRegistry(serviceName: string, registry: unknown): asserts registry is DatasourceRegistry {
  if (registry === undefined) return;
  if (typeof registry !== 'object' || registry === null || Array.isArray(registry)) {
    throw new ConfigError(`Service '${serviceName}': 'datasources' must be an object of datasource classes (got ${describe(registry)}).`, {
      service: serviceName,
      option: 'datasources',
    });
  }
  for (const [name, entry] of Object.entries(registry)) {
    if (!isConstructor(entry)) {
      throw new ConfigError(
        `Service '${serviceName}': datasource '${name}' is not a class or constructor (got ${describe(entry)}). ` +
          `Register the class itself, e.g. datasources: { ${name}: ${capitalize(name)}Datasource }.`,
        { service: serviceName, datasource: name },
      );
    }
  }
}

function isConstructor(value: unknown): value is DatasourceClass {
  if (typeof value !== 'function') return false;
  // Arrow functions, object-literal methods and async functions have no [[Construct]]; classes and functions do.
  try {
    Reflect.construct(String, [], value as new () => object);
    return true;
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'} that cannot be called with new`;
  if (typeof value === 'object') return 'an object instance';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

interface Entry {
  name: string;
  instance: DatasourceHooks;
  connected: boolean;
  pendingInit?: Promise<void>;
}

interface State {
  entries: Entry[];
  instances: Record<string, object>;
  view: Record<string, object>;
}

const states = new WeakMap<Service, State>();

/** Names the Proxy lets through without a lookup: non-identifiers and runtime/tooling probes (`await`, JSON, jest, util.inspect). */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const PROBES = new Set(['then', 'toJSON', 'constructor', 'inspect', 'asymmetricMatch', 'nodeType', 'tagName', '$$typeof', '_isMockFunction']);

function stateOf(service: Service): State {
  let state = states.get(service);
  if (!state) {
    const instances: Record<string, object> = {};
    const view = new Proxy(instances, {
      get(target, prop, receiver) {
        const probe = typeof prop !== 'string' || !IDENTIFIER.test(prop) || PROBES.has(prop) || prop in Object.prototype;
        if (probe || prop in target) {
          return Reflect.get(target, prop, receiver);
        }
        const known = Object.keys(target);
        throw new ConfigError(
          `Datasource '${prop}' is not registered in service '${service.fullName}' ` +
            `(registered: ${known.length ? known.join(', ') : 'none'}).`,
          { service: service.fullName, datasource: prop },
        );
      },
      set(_target, prop) {
        throw new ConfigError(`Datasources of service '${service.fullName}' are read-only (tried to set '${String(prop)}').`, {
          service: service.fullName,
          datasource: String(prop),
        });
      },
    });
    state = { entries: [], instances, view };
    states.set(service, state);
  }
  return state;
}

/** The service's datasources (a read-only view that throws a `ConfigError` on an unregistered name). */
export function datasourcesOf(service: Service): Record<string, object> {
  return stateOf(service).view;
}

function fail(service: Service, name: string, hook: string, cause: unknown): DatasourceError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DatasourceError(
    `Datasource '${name}' of service '${service.fullName}' failed in ${hook}: ${reason}`,
    { datasource: name, service: service.fullName, hook },
    cause,
  );
}

/** Constructs the registry's datasources for `service` and runs their `init` hooks (created). */
export function createDatasources(service: Service, registry: DatasourceRegistry): void {
  const state = stateOf(service);
  for (const [name, Klass] of Object.entries(registry)) {
    if (name in state.instances) {
      throw new ConfigError(`Service '${service.fullName}': datasource '${name}' is registered twice (by two mixins).`, {
        service: service.fullName,
        datasource: name,
      });
    }
    let instance: DatasourceHooks;
    try {
      const logger = service.broker.getLogger(`${service.fullName}.datasource.${name}`, { svc: service.name, ver: service.version });
      instance = new Klass({ name, service, broker: service.broker, logger }) as DatasourceHooks;
    } catch (err) {
      throw fail(service, name, 'constructor', err);
    }
    const entry: Entry = { name, instance, connected: false };
    if (typeof instance.init === 'function') {
      let result: void | Promise<void>;
      try {
        result = instance.init();
      } catch (err) {
        throw fail(service, name, 'init', err);
      }
      if (result && typeof (result as Promise<void>).then === 'function') {
        const pending = Promise.resolve(result).catch((err: unknown) => {
          throw fail(service, name, 'init', err);
        });
        pending.catch(() => undefined); // surfaced by connectDatasources, not as an unhandled rejection
        entry.pendingInit = pending;
      }
    }
    state.entries.push(entry);
    state.instances[name] = instance;
  }
}

/**
 * Awaits pending `init`s, then runs `connect` in registry order (started). If one fails, those already
 * connected are disconnected (reverse order) and a `DatasourceError` naming the datasource and service is thrown.
 */
export async function connectDatasources(service: Service): Promise<void> {
  const state = stateOf(service);
  for (const entry of state.entries) {
    if (entry.connected) continue;
    try {
      if (entry.pendingInit) await entry.pendingInit;
      entry.pendingInit = undefined;
      if (typeof entry.instance.connect === 'function') {
        try {
          await entry.instance.connect();
        } catch (err) {
          throw fail(service, entry.name, 'connect', err);
        }
      }
      entry.connected = true;
    } catch (err) {
      await disconnectDatasources(service);
      throw err;
    }
  }
}

/** Runs `disconnect` on the connected datasources in reverse order (stopped). Failures are logged. */
export async function disconnectDatasources(service: Service): Promise<void> {
  const state = stateOf(service);
  for (const entry of [...state.entries].reverse()) {
    if (!entry.connected) continue;
    entry.connected = false;
    if (typeof entry.instance.disconnect !== 'function') continue;
    try {
      await entry.instance.disconnect();
    } catch (err) {
      service.logger.error(fail(service, entry.name, 'disconnect', err));
    }
  }
}

/**
 * The Moleculer mixin behind `datasources:`: constructs and inits on created, connects on started,
 * disconnects on stopped, and exposes them as `this.datasources`.
 */
export function datasourcesMixin(registry: DatasourceRegistry): Partial<ServiceSchema> {
  return {
    created(this: Service) {
      if (!Object.prototype.hasOwnProperty.call(this, 'datasources')) {
        Object.defineProperty(this, 'datasources', { value: datasourcesOf(this), enumerable: false });
      }
      createDatasources(this, registry);
    },
    async started(this: Service) {
      await connectDatasources(this);
    },
    async stopped(this: Service) {
      await disconnectDatasources(this);
    },
  };
}
