/**
 * The argument types a Call node was resolved with (stored in the plan as JSON-safe CallArgType)
 * turned back into the function library's ArgType, so the compiler resolves the same overload.
 */
import { SqlError } from '../../sql/errors.ts';
import type { ArgType } from '../../functions/types.ts';
import { formatType, typesEqual } from '../../types/sql-type.ts';
import type { CallArgType } from '../../types/typed-expr.ts';

/** Argument types as the function library wants them at compile time (lambdas re-checked, not re-analyzed). */
export function toArgTypes(argTypes: readonly CallArgType[], callName: string): ArgType[] {
  return argTypes.map((t): ArgType => {
    if (t === null || t.kind !== 'LAMBDA') return t;
    const expected = t.paramTypes;
    return {
      kind: 'LAMBDA',
      arity: expected.length,
      bodyType(paramTypes) {
        if (paramTypes.length !== expected.length || paramTypes.some((p, i) => !typesEqual(p, expected[i]))) {
          throw new SqlError(
            'TYPE',
            `${callName}: lambda parameter types changed since the query was planned (${paramTypes.map(formatType).join(', ')})`,
          );
        }
        return t.bodyType;
      },
    };
  });
}
