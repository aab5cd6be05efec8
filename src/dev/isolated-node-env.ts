/** Group and topic names of a cluster of its own (`<prefix>.group`, `<prefix>.definitions`, ...), for tests and benchmarks. */
export function isolatedNodeEnv(prefix: string): Record<string, string> {
  return {
    PUNCTUAL_GROUP_ID: `${prefix}.group`,
    PUNCTUAL_TOPIC_DEFINITIONS: `${prefix}.definitions`,
    PUNCTUAL_TOPIC_CHANGELOG: `${prefix}.changelog`,
    PUNCTUAL_TOPIC_DLQ: `${prefix}.dlq`,
    PUNCTUAL_TOPIC_STATUS: `${prefix}.status`,
    PUNCTUAL_TOPIC_EXECUTIONS_DLQ: `${prefix}.executions-dlq`,
    PUNCTUAL_TOPIC_CALENDARS: `${prefix}.calendars`,
  };
}
