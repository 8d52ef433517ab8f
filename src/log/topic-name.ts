/**
 * Kafka's rule for topic names (org.apache.kafka.common.internals.Topic.validate), for checking a
 * name where it enters through a statement, with the statement's position, before any log sees
 * it: at most 249 characters of ASCII letters, digits, '.', '_' and '-', and not '.' or '..'.
 */
const LEGAL = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME = 249;

/** Why `name` cannot be a topic name, or null when it can. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'a topic name cannot be empty';
  if (name === '.' || name === '..') return `a topic name cannot be '.' or '..'`;
  if (name.length > MAX_TOPIC_NAME) return `a topic name is at most ${MAX_TOPIC_NAME} characters long, this one has ${name.length}`;
  if (!LEGAL.test(name)) return `a topic name may only contain ASCII letters, digits, '.', '_' and '-'`;
  return null;
}

/** `name` shortened for a message. */
export const shownTopicName = (name: string): string => (name.length > 60 ? `${name.slice(0, 57)}...` : name);
