// The API validates input more strictly than Fastify's default: an unknown body field is an
// error (not silently dropped), a body value is never coerced ("5" is not 5), and a query
// parameter given twice is an error (it arrives as an array). Query strings and path
// parameters are text, so there numbers and booleans are read from it.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

export function strictValidator(): FastifySchemaCompiler<FastifySchema> {
  const options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
  const body = new Ajv({ ...options, coerceTypes: false });
  const text = new Ajv({ ...options, coerceTypes: true });
  const cache = new WeakMap<object, ValidateFunction>();
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? body : text;
    let validate = cache.get(schema);
    if (!validate) {
      validate = ajv.compile(schema);
      cache.set(schema, validate);
    }
    return validate;
  };
}

/**
 * One short message per refusal, about the first field that failed: "body/vendor must be one
 * of mikrotik, chilli, …" rather than one "must be equal to constant" per choice.
 */
export function schemaErrorMessage(errors: Partial<ErrorObject>[], part: string): Error {
  const first = errors[0];
  const path = `${part}${first?.instancePath ?? ''}`;
  const choices = errors
    .filter((error) => error.instancePath === first?.instancePath)
    .flatMap((error) => {
      const params = (error.params ?? {}) as { allowedValue?: unknown; allowedValues?: unknown[] };
      if (error.keyword === 'const') return [params.allowedValue];
      return error.keyword === 'enum' ? (params.allowedValues ?? []) : [];
    });
  return new Error(choices.length > 0 ? `${path} must be one of ${choices.map(String).join(', ')}` : `${path} ${first?.message ?? 'is not valid'}`);
}
