/** EXPLAIN for plans: the step tree with each step's output schema, one step per line. */
import type { Step, QueryPlan } from './steps.ts';
import { formatSchema } from '../types/schema.ts';
import { formatTypedExpr } from '../types/typed-expr.ts';

export function explainStep(step: Step, indent = ''): string {
  const head = `${indent} > [ ${step.type.toUpperCase()} ] ${step.name} | Schema: ${formatSchema(step.schema)}`;
  switch (step.type) {
    case 'source':
      return `${head} | topic: ${step.binding.topic} (${step.binding.formats.keyFormat}/${step.binding.formats.valueFormat})`;
    case 'filter':
      return `${head} | predicate: ${formatTypedExpr(step.predicate)}\n${explainStep(step.input, indent + '\t')}`;
    case 'flatMap':
      return `${head} | functions: ${step.functions.map((f) => `${f.name}(${f.args.map(formatTypedExpr).join(', ')})`).join(', ')}\n${explainStep(step.input, indent + '\t')}`;
    case 'join': {
      const j = step.spec;
      const within = j.kind === 'STREAM_STREAM' ? ` within (${j.beforeMs}ms, ${j.afterMs}ms)${j.graceMs !== null ? ` grace ${j.graceMs}ms` : ''}` : '';
      return `${head} | ${j.type} ${j.kind}${j.foreignKey ? ' (foreign key)' : ''} on ${formatTypedExpr(j.leftKey)} = ${formatTypedExpr(j.rightKey)}${within}\n${explainStep(step.left, indent + '\t')}\n${explainStep(step.right, indent + '\t')}`;
    }
    case 'overAggregate':
      return `${head} | ${step.calls.map((c) => `${c.aggregate.name}(${c.aggregate.args.map(formatTypedExpr).join(', ')}) OVER (PARTITION BY ${c.partitionBy.map(formatTypedExpr).join(', ')}${c.frame ? ` ${JSON.stringify(c.frame)}` : ''})`).join(', ')}\n${explainStep(step.input, indent + '\t')}`;
    case 'materialize':
      return `${head}\n${explainStep(step.input, indent + '\t')}`;
    case 'aggregate': {
      const w = step.window ? ` | window: ${JSON.stringify(step.window.info)} grace ${step.window.graceMs}ms${step.window.emitFinal ? ' EMIT FINAL' : ''}${step.panes ? ` by panes of ${step.panes.paneMs}ms` : ''}` : '';
      return `${head} | group by: ${step.groupBy.map(formatTypedExpr).join(', ')} | aggregates: ${step.aggregates.map((a) => `${a.name}(${a.args.map(formatTypedExpr).join(', ')})`).join(', ')}${w}\n${explainStep(step.input, indent + '\t')}`;
    }
    case 'modelCall':
      return `${head} | calls: ${step.calls.map((c) => `${c.model}${c.version ? `$${c.version}` : ''}(${c.args.map(formatTypedExpr).join(', ')})`).join(', ')}\n${explainStep(step.input, indent + '\t')}`;
    case 'project':
      return `${head}${step.rekeyed ? ' | repartitioned by key' : ''} | exprs: ${step.exprs.map(formatTypedExpr).join(', ')}\n${explainStep(step.input, indent + '\t')}`;
    case 'repartition':
      return `${head} | by: ${step.key.map(formatTypedExpr).join(', ')} | topic: ${step.topic} (${step.partitions} partitions${step.retract ? ', table changes' : ''}${step.broadcast ? ', to every partition' : ''})\n${explainStep(step.input, indent + '\t')}`;
    case 'train':
      return `${head} | model: ${step.model} | features: ${step.featureNames.join(', ')}${step.key.length ? ` | per key` : ''}\n${explainStep(step.input, indent + '\t')}`;
    case 'sink':
      return `${head} | topic: ${step.binding.topic} (${step.binding.formats.keyFormat}/${step.binding.formats.valueFormat})\n${explainStep(step.input, indent + '\t')}`;
  }
}

export function explainPlan(plan: QueryPlan): string {
  return `Query ${plan.queryId} (plan v${plan.planVersion})\n${explainStep(plan.sink)}`;
}
