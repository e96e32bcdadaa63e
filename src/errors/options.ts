/** Option checks shared by every layer's `resolve*Options`: a failed check is a `ConfigError` naming the option. */
import { ConfigError } from './index';

/** Throws `ConfigError` "`<where>: option \`<option>\` <rule> (got <value>)`" unless `ok`. */
export function assertOption(ok: boolean, where: string, option: string, rule: string, value: unknown): void {
  if (!ok) throw new ConfigError(`${where}: option \`${option}\` ${rule} (got ${JSON.stringify(value)})`, { option, value });
}

/** The option must be an integer ≥ `min`. */
export function assertIntOption(where: string, option: string, value: unknown, min: number): void {
  assertOption(Number.isInteger(value) && (value as number) >= min, where, option, `must be an integer ≥ ${min}`, value);
}
