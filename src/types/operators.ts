/**
 * Operator and unit names shared by the SQL AST (sql/ast.ts) and the typed expressions the
 * analyzer hands to plan and exec (types/typed-expr.ts). They live in the lowest layer so the
 * typed expressions need nothing from sql/.
 */
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

/** `IS DISTINCT FROM` is op 'DISTINCT', `IS NOT DISTINCT FROM` is 'NOT_DISTINCT'. */
export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | 'DISTINCT' | 'NOT_DISTINCT';

export type TimeUnit = 'MILLISECONDS' | 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS' | 'WEEKS' | 'MONTHS' | 'YEARS';
